// Little-endian unsigned integers inside byte strings: the fixed-width fields of silico's binary formats
// (store arrays and bundles, checkpoint files, trial results, worker frames), byte-identical on every host.
#pragma once

#include <cstdint>
#include <string>

namespace silico {

// Appends the low `bytes` bytes of `v`, least significant first.
inline void put_le(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
inline void put_u16(std::string& out, std::uint16_t v) {
    put_le(out, v, 2);
}
inline void put_u32(std::string& out, std::uint32_t v) {
    put_le(out, v, 4);
}
inline void put_u64(std::string& out, std::uint64_t v) {
    put_le(out, v, 8);
}

// Reads `bytes` bytes at `p`, least significant first; the caller has checked that they are there.
inline std::uint64_t get_le(const char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}
inline std::uint32_t get_u32(const char* p) {
    return static_cast<std::uint32_t>(get_le(p, 4));
}
inline std::uint64_t get_u64(const char* p) {
    return get_le(p, 8);
}

}  // namespace silico
