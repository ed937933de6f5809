#!/usr/bin/env bash
# Builds silico exactly as container/silico.def does, without Apptainer (Debian 12 does not package it): a
# clean Debian 12 root made with debootstrap, the checkout copied to /opt/silico-src (the def's %files), then
# the def's %post and %test run in it with chroot inside a private mount namespace (unshare). The commands are
# read from the def file itself, so this exercise cannot drift from the image (docs/container.md).
#
#   container/build-rootfs.sh ROOT            as root; ROOT is created (about 2 GB with the build)
#   chroot ROOT /usr/local/bin/silico --version
#
# DEBIAN_MIRROR overrides the mirror (default http://deb.debian.org/debian). A ROOT that already holds a
# Debian system is reused (debootstrap is skipped), so a failed %post can be retried.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 ROOT" >&2
  exit 2
fi
root=$(realpath -m "$1")
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cd "$(dirname "$0")/.."
src=$(pwd)
def=container/silico.def

if [[ $(id -u) -ne 0 ]]; then
  echo "build-rootfs: debootstrap and chroot need root" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  echo "build-rootfs: debootstrap is missing (scripts/install-deps.sh --with-tests installs it)" >&2
  exit 1
fi

# One section of the def file: the lines after "%NAME" up to the next section.
section() {
  awk -v name="%$1" '$1 == name { inside = 1; next } /^%/ { inside = 0 } inside' "$def"
}

bootstrap=$(awk '$1 == "From:" { print $2 }' "$def")
if [[ "$bootstrap" != "debian:12" ]]; then
  echo "build-rootfs: $def starts from '$bootstrap', this script makes Debian 12 roots only" >&2
  exit 1
fi

if [[ ! -x "$root/usr/bin/apt-get" ]]; then
  echo "build-rootfs: debootstrap bookworm into $root"
  debootstrap --variant=minbase bookworm "$root" "$mirror"
fi

# %files: ". /opt/silico-src", the checkout as it is, without build folders.
read -r files_from files_to < <(section files | awk 'NF == 2 { print $1, $2; exit }')
rm -rf "${root:?}$files_to"
mkdir -p "$root$files_to"
tar -C "$src/$files_from" --exclude=./build --exclude='./build-*' -cf - . | tar -C "$root$files_to" -xf -
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The build host's own certificate authorities, like its resolv.conf: a host whose HTTPS passes through a
# TLS-intercepting proxy trusts the proxy's CA in /usr/local/share/ca-certificates, and `npm ci` in the root
# must trust it too. The root's ca-certificates (installed by %post) adds them to its bundle, and node reads
# that bundle through NODE_EXTRA_CA_CERTS. A host without local CAs passes nothing.
extra_ca=
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  extra_ca=/etc/ssl/certs/ca-certificates.crt
fi

environment=$(section environment)
post=$(section post)
test_section=$(section test)
echo "build-rootfs: running %post of $def in $root"
unshare --mount --propagation private /bin/bash -euo pipefail -c '
  root=$1
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs tmpfs "$root/tmp"
  # A root reused from a failed attempt may hold ca-certificates already: refresh its bundle.
  if [[ -x "$root/usr/sbin/update-ca-certificates" ]]; then
    chroot "$root" /usr/sbin/update-ca-certificates >/dev/null
  fi
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root ${5:+NODE_EXTRA_CA_CERTS=$5} /bin/bash -c "$2
$3"
  echo "build-rootfs: running %test"
  chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin /bin/bash -c "$2
$4"
' build-rootfs "$root" "$environment" "$post" "$test_section" "$extra_ca"
echo "build-rootfs: done; chroot $root /usr/local/bin/silico --version"
