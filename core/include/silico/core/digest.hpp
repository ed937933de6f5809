// SHA-256 digests: the identity of every blob, input file, trial and model in silico.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "silico/core/error.hpp"

namespace silico {

// A 32-byte SHA-256 value. Ordered and hashable so it can key maps; printed as 64 lowercase hex digits.
struct Digest {
    static constexpr std::size_t k_size = 32;
    std::array<std::uint8_t, k_size> bytes{};

    std::string hex() const;
    std::string short_hex() const { return hex().substr(0, 12); }
    std::string_view view() const {
        return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }

    // Parses 64 hex digits (either case); anything else is an Errc::parse error.
    static Result<Digest> from_hex(std::string_view text);
    // Takes exactly 32 raw bytes, e.g. a RocksDB key.
    static Result<Digest> from_bytes(std::string_view raw);

    auto operator<=>(const Digest&) const = default;
};

// Incremental SHA-256 (OpenSSL EVP). Feed bytes with update(), then finish() once.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;

    Sha256& update(std::span<const std::byte> data);
    Sha256& update(std::string_view data);
    Digest finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

Digest sha256(std::string_view data);
Digest sha256(std::span<const std::byte> data);
// Digest of a file's bytes, streamed; a missing or unreadable file is an error naming the path.
Result<Digest> sha256_file(const std::filesystem::path& path);

}  // namespace silico

template <>
struct std::hash<silico::Digest> {
    std::size_t operator()(const silico::Digest& d) const noexcept {
        std::size_t h = 0;
        for (std::size_t i = 0; i < sizeof(h); ++i) h = (h << 8) | d.bytes[i];
        return h;
    }
};
