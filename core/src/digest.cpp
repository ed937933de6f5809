#include "silico/core/digest.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <vector>

namespace silico {

namespace {
constexpr char k_hex_digits[] = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string Digest::hex() const {
    std::string out(k_size * 2, '0');
    for (std::size_t i = 0; i < k_size; ++i) {
        out[2 * i] = k_hex_digits[bytes[i] >> 4];
        out[2 * i + 1] = k_hex_digits[bytes[i] & 0xF];
    }
    return out;
}

Result<Digest> Digest::from_hex(std::string_view text) {
    if (text.size() != k_size * 2) {
        return fail(Errc::parse, "a SHA-256 digest has 64 hex digits, got " + std::to_string(text.size()) +
                                     " characters: '" + std::string(text.substr(0, 80)) + "'");
    }
    Digest d;
    for (std::size_t i = 0; i < k_size; ++i) {
        int hi = hex_value(text[2 * i]);
        int lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return fail(Errc::parse, "not a hex digest: '" + std::string(text) + "'");
        d.bytes[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return d;
}

Result<Digest> Digest::from_bytes(std::string_view raw) {
    if (raw.size() != k_size) {
        return fail(Errc::corruption, "a raw digest has 32 bytes, got " + std::to_string(raw.size()));
    }
    Digest d;
    for (std::size_t i = 0; i < k_size; ++i) d.bytes[i] = static_cast<std::uint8_t>(raw[i]);
    return d;
}

struct Sha256::Impl {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {
    EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr);
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

Sha256& Sha256::update(std::span<const std::byte> data) {
    EVP_DigestUpdate(m_impl->ctx, data.data(), data.size());
    return *this;
}

Sha256& Sha256::update(std::string_view data) {
    EVP_DigestUpdate(m_impl->ctx, data.data(), data.size());
    return *this;
}

Digest Sha256::finish() {
    Digest d;
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_impl->ctx, d.bytes.data(), &len);
    return d;
}

Digest sha256(std::string_view data) { return Sha256().update(data).finish(); }
Digest sha256(std::span<const std::byte> data) { return Sha256().update(data).finish(); }

Result<Digest> sha256_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Errc::not_found, "cannot open file for hashing", path.string());
    Sha256 hasher;
    std::vector<char> buffer(1 << 16);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        hasher.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
    }
    if (in.bad()) return fail(Errc::io, "read failed while hashing", path.string());
    return hasher.finish();
}

}  // namespace silico
