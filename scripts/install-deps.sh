#!/usr/bin/env bash
# Installs every package silico needs to build, test and run, from Debian 12's archive.
# Idempotent: packages already present are left alone. Must run as root (apt-get).
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build git pkg-config ccache
  neuron neuron-dev
  libtomlplusplus-dev libgit2-dev librocksdb-dev libzstd-dev libssl-dev
  libboost-dev libboost-filesystem-dev
  libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libeigen3-dev libhdf5-dev libpcre2-dev
  pybind11-dev python3-dev python3-numpy python3-pandas  # the silico Python module (python/, docs/python.md)
)
test_packages=(
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3-pytest  # tests/python
  python3-pandas python3-numpy  # tests/analysis and bench/ compute ISF's answers the way ISF users do
  python3-h5py  # tests/e2e: h5py reads the HDF5 and SONATA files `silico export` writes
  python3-sklearn  # tests/analysis/reduced_model_test: scikit-learn's LDA checks silico reduce
  clang libclang-rt-14-dev
  clang-16 libclang-rt-16-dev  # libFuzzer targets (docs/fuzzing.md): clang 14 cannot compile std::expected
  openssh-server openssh-client
  slurmctld slurmd slurm-client munge
  debootstrap  # container/build-rootfs.sh (docs/container.md)
  nginx wrk  # tests/e2e/sharing: a WebDAV lab cache started by the test; bench/: the cache server under load
  chromium  # tests/report: the report is loaded and checked in headless Chromium
)

want=("${build_packages[@]}")
# The report's plotting library comes from npm (report/web/package-lock.json, `npm ci` at build time).
# Debian's nodejs/npm only when no node is on PATH: a NodeSource nodejs bundles npm and conflicts with Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  want+=(nodejs npm)
fi
if [[ "${1:-}" == "--with-tests" ]]; then
  want+=("${test_packages[@]}")
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: need root to install: ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
