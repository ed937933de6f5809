// Numeric array encoding. Grammar (integers little-endian, f64 IEEE-754 little-endian):
//
//   array     := magic version:u8 kind:u8 ncols:u32 nrows:u64 precision:f64 body
//   magic     := "SLCA"
//   kind      := 1 f64_table | 2 i64_table | 3 spike_lists | 4 strings
//   nrows     := rows of a table; number of lists for spike_lists; number of strings for strings
//   precision := 0 (lossless) or the declared quantum q
//   body      := zstd_frame(column{ncols})
//   column    := codec:u8 param:u8 order:u8 planes:u8 count:u64 length:u64 payload[length]
//                (version 1: no planes byte, planes = 8)
//   codec     := 0 raw       payload = count values, 8 bytes each (planes = 8)
//              | 1 xor       payload = shuffle(b[i] XOR b[i-1]), b = bits >> param, b[-1] = 0  (float64)
//              | 2 decimal   payload = shuffle(zigzag(delta^order(n))), n[i] = v[i] * 10^param exactly,
//                            decoded as n[i] / 10^param, which restores the identical float64  (float64)
//              | 3 quantum   payload = shuffle(zigzag(delta^order(n))), n[i] = round(v[i] / q),
//                            decoded as n[i] * q                                           (float64)
//              | 4 integer   payload = shuffle(zigzag(delta^order(v)))                      (int64)
//              | 5 bits      payload = shuffle(zigzag(delta^order(b))), b = bits >> param   (float64)
//   xor and bits: param (version 2) is the number of trailing zero bits every value's bit pattern has (29
//                 for values rounded to float32), shifted out before and back in after; version 1: 0
//   shuffle(w[0..count)) := byte 0 of every word, then byte 1 of every word, ... byte planes-1, where
//                           planes (1..8) is the fewest low bytes that hold every word: the high bytes
//                           left out are 0 (version 1 stores all 8, and zstd removes their runs)
//   delta^order          := `order` (0, 1 or 2) rounds of d[i] = x[i] - x[i-1] (x[-1] = 0), wrapping
//
// spike_lists has two columns: the lengths of the lists (int64) and all their values concatenated (float64).
// strings has two columns: the byte lengths of the strings and all their bytes concatenated (both int64,
// integer codec; a byte's high planes are zero, which zstd removes).
#include "silico/store/array.hpp"

#include <zstd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "blob_codec.hpp"
#include "silico/core/little_endian.hpp"

namespace silico::store {

namespace {

constexpr std::string_view k_magic = "SLCA";
constexpr std::size_t k_header_size = 4 + 1 + 1 + 4 + 8 + 8;
constexpr std::size_t k_column_header_size_v1 = 1 + 1 + 1 + 8 + 8;
constexpr std::size_t k_column_header_size = 1 + 1 + 1 + 1 + 8 + 8;  // version 2: with planes
enum Codec : std::uint8_t {
    codec_raw = 0,
    codec_xor = 1,
    codec_decimal = 2,
    codec_quantum = 3,
    codec_integer = 4,
    codec_bits = 5
};

// The fewest low bytes that hold every word (at least 1).
std::uint8_t planes_of(const std::vector<std::uint64_t>& words) {
    std::uint64_t any = 0;
    for (auto w : words) any |= w;
    const int bits = 64 - std::countl_zero(any);
    return static_cast<std::uint8_t>(std::max(1, (bits + 7) / 8));
}

void shuffle_into(std::string& out, const std::vector<std::uint64_t>& words, std::size_t planes) {
    const std::size_t n = words.size();
    const std::size_t base = out.size();
    out.resize(base + planes * n);
    char* dst = out.data() + base;
    for (std::size_t plane = 0; plane < planes; ++plane) {
        for (std::size_t i = 0; i < n; ++i)
            dst[plane * n + i] = static_cast<char>((words[i] >> (8 * plane)) & 0xFF);
    }
}

// Words [at, at + m) of a column of n words from their byte planes (the inverse of shuffle_into; the planes
// past `planes` are 0), each word written once. 16 words at a time with SSE2 (every x86-64 CPU has it): up to
// 8 loads of 16 bytes, and three rounds of byte, 16-bit and 32-bit interleaving are the transpose.
void unshuffle_block(const char* payload, std::size_t n, std::size_t planes, std::size_t at, std::size_t m,
                     std::uint64_t* out) {
    const char* base = payload + at;
    std::size_t i = 0;
#if defined(__SSE2__)
    for (; i + 16 <= m; i += 16) {
        __m128i p[8];
        for (std::size_t plane = 0; plane < 8; ++plane)
            p[plane] = plane < planes
                           ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + plane * n + i))
                           : _mm_setzero_si128();
        // Planes 2k and 2k+1 side by side: 16-bit pieces of words 0-7 (a0...) and 8-15 (a1...).
        const __m128i a0 = _mm_unpacklo_epi8(p[0], p[1]), a1 = _mm_unpackhi_epi8(p[0], p[1]);
        const __m128i b0 = _mm_unpacklo_epi8(p[2], p[3]), b1 = _mm_unpackhi_epi8(p[2], p[3]);
        const __m128i c0 = _mm_unpacklo_epi8(p[4], p[5]), c1 = _mm_unpackhi_epi8(p[4], p[5]);
        const __m128i d0 = _mm_unpacklo_epi8(p[6], p[7]), d1 = _mm_unpackhi_epi8(p[6], p[7]);
        // Planes 0-3 (lo) and 4-7 (hi) of words 0-3, 4-7, 8-11, 12-15.
        const __m128i lo[4] = {_mm_unpacklo_epi16(a0, b0), _mm_unpackhi_epi16(a0, b0),
                               _mm_unpacklo_epi16(a1, b1), _mm_unpackhi_epi16(a1, b1)};
        const __m128i hi[4] = {_mm_unpacklo_epi16(c0, d0), _mm_unpackhi_epi16(c0, d0),
                               _mm_unpacklo_epi16(c1, d1), _mm_unpackhi_epi16(c1, d1)};
        for (std::size_t q = 0; q < 4; ++q) {
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 4 * q), _mm_unpacklo_epi32(lo[q], hi[q]));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 4 * q + 2),
                             _mm_unpackhi_epi32(lo[q], hi[q]));
        }
    }
#endif
    for (; i < m; ++i) {
        std::uint64_t w = 0;
        for (std::size_t plane = 0; plane < planes; ++plane)
            w |= std::uint64_t{static_cast<std::uint8_t>(base[plane * n + i])} << (8 * plane);
        out[i] = w;
    }
}

std::uint64_t zigzag(std::uint64_t v) {
    return (v << 1) ^ (0 - (v >> 63));
}
std::uint64_t unzigzag(std::uint64_t z) {
    return (z >> 1) ^ (0 - (z & 1));
}

void delta(std::vector<std::uint64_t>& x, int order) {
    for (int r = 0; r < order; ++r) {
        for (std::size_t i = x.size(); i-- > 1;) x[i] -= x[i - 1];
    }
}
// First or second differences, whichever are smaller in total: smooth traces favour the second.
int choose_order(const std::vector<std::uint64_t>& n) {
    long double d1 = 0, d2 = 0;
    for (std::size_t i = 2; i < n.size(); ++i) {
        const auto a = static_cast<std::int64_t>(n[i] - n[i - 1]);
        const auto b = static_cast<std::int64_t>(n[i] - 2 * n[i - 1] + n[i - 2]);
        d1 += std::fabs(static_cast<long double>(a));
        d2 += std::fabs(static_cast<long double>(b));
    }
    return d2 < d1 ? 2 : 1;
}

void put_column(std::string& body, std::uint8_t codec, std::uint8_t param, std::uint8_t order,
                std::size_t count, std::vector<std::uint64_t> words) {
    body.push_back(static_cast<char>(codec));
    body.push_back(static_cast<char>(param));
    body.push_back(static_cast<char>(order));
    if (codec == codec_decimal || codec == codec_quantum || codec == codec_integer || codec == codec_bits) {
        delta(words, order);
        for (auto& w : words) w = zigzag(w);
    }
    const std::uint8_t planes = planes_of(words);
    body.push_back(static_cast<char>(planes));
    put_u64(body, count);
    put_u64(body, planes * words.size());
    shuffle_into(body, words, planes);
}

void put_integer_column(std::string& body, const std::vector<std::int64_t>& values) {
    std::vector<std::uint64_t> words(values.begin(), values.end());
    put_column(body, codec_integer, 0, static_cast<std::uint8_t>(choose_order(words)), values.size(),
               std::move(words));
}

// The smallest e such that every value is an exact decimal with e digits, if there is one.
bool decimal_integers(const std::vector<double>& values, std::vector<std::uint64_t>& out, int& exponent) {
    constexpr double k_limit = 9007199254740992.0;  // 2^53: beyond, integers are not exact doubles
    for (int e = 0; e <= 18; ++e) {
        const double scale = std::pow(10.0, e);  // exact for e <= 22
        out.clear();
        bool ok = true;
        for (double v : values) {
            const double x = std::nearbyint(v * scale);
            // Compare what the decoder computes from the stored integer: an integer has no -0, so -0.0
            // (which x / scale would give back) must not be stored as a decimal.
            if (!(std::fabs(x) < k_limit) ||
                std::bit_cast<std::uint64_t>(static_cast<double>(static_cast<std::int64_t>(x)) / scale) !=
                    std::bit_cast<std::uint64_t>(v)) {
                ok = false;
                break;
            }
            out.push_back(static_cast<std::uint64_t>(static_cast<std::int64_t>(x)));
        }
        if (ok) {
            exponent = e;
            return true;
        }
    }
    return false;
}

bool quantum_integers(const std::vector<double>& values, double q, std::vector<std::uint64_t>& out) {
    constexpr double k_limit = 4503599627370496.0;  // 2^52
    out.clear();
    for (double v : values) {
        const double x = std::nearbyint(v / q);
        if (!(std::fabs(x) < k_limit)) return false;  // also rejects NaN and infinities
        out.push_back(static_cast<std::uint64_t>(static_cast<std::int64_t>(x)));
    }
    return true;
}

// What zstd at its fastest level makes of a column: enough to choose between transforms.
std::size_t estimated_size(const std::string& column) {
    std::string out(ZSTD_compressBound(column.size()), '\0');
    const std::size_t n = ZSTD_compress(out.data(), out.size(), column.data(), column.size(), 1);
    return ZSTD_isError(n) ? column.size() : n;
}

void put_f64_column(std::string& body, const std::vector<double>& values, double precision) {
    std::vector<std::uint64_t> n;
    if (precision > 0 && quantum_integers(values, precision, n)) {
        const auto order = static_cast<std::uint8_t>(choose_order(n));
        put_column(body, codec_quantum, 0, order, values.size(), std::move(n));
        return;
    }
    int exponent = 0;
    if (decimal_integers(values, n, exponent)) {
        const auto order = static_cast<std::uint8_t>(choose_order(n));
        put_column(body, codec_decimal, static_cast<std::uint8_t>(exponent), order, values.size(),
                   std::move(n));
        return;
    }
    // Full-precision values: XOR with the previous value's bits suits noisy data, differences of the bit
    // patterns suit smooth traces (same sign and exponent, so the bits grow like the value). Try both.
    // Both without the trailing zero bits every pattern shares (29 for values rounded to float32).
    std::uint64_t any = 0;
    for (double v : values) any |= std::bit_cast<std::uint64_t>(v);
    const int shift = any == 0 ? 0 : std::countr_zero(any);
    std::vector<std::uint64_t> words(values.size());
    n.assign(values.size(), 0);
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto bits = std::bit_cast<std::uint64_t>(values[i]) >> shift;
        words[i] = bits ^ previous;
        previous = bits;
        n[i] = bits;
    }
    std::string xor_column, bits_column;
    const auto param = static_cast<std::uint8_t>(shift);
    put_column(xor_column, codec_xor, param, 0, values.size(), std::move(words));
    const auto order = static_cast<std::uint8_t>(choose_order(n));
    put_column(bits_column, codec_bits, param, order, values.size(), std::move(n));
    body += estimated_size(bits_column) < estimated_size(xor_column) ? bits_column : xor_column;
}

Result<std::string> finish(ArrayKind kind, std::uint32_t ncols, std::uint64_t nrows, double precision,
                           const std::string& body, int level) {
    std::string out(k_magic);
    out.push_back(static_cast<char>(k_array_format_version));
    out.push_back(static_cast<char>(kind));
    put_u32(out, ncols);
    put_u64(out, nrows);
    put_u64(out, std::bit_cast<std::uint64_t>(precision));
    const std::size_t base = out.size();
    out.resize(base + ZSTD_compressBound(body.size()));
    const std::size_t n =
        ZSTD_compress(out.data() + base, out.size() - base, body.data(), body.size(), level);
    if (ZSTD_isError(n)) return fail(Errc::internal, std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(base + n);
    return out;
}

Status check_precision(double precision) {
    if (!(precision >= 0) || !std::isfinite(precision)) {
        return fail(Errc::invalid_argument, "array precision must be 0 (lossless) or a positive number");
    }
    return {};
}

// A column's header, checked; `pos` moves past the column, `payload` is its bytes.
struct ColumnHeader {
    std::uint8_t codec = 0, param = 0;
    int order = 0;
    std::size_t planes = 8;
    std::uint64_t count = 0;
    std::string_view payload;
    // The trailing zero bits shifted out of xor and bits columns' patterns (param; 0 in version 1).
    int shift() const { return codec == codec_xor || codec == codec_bits ? param : 0; }
};

// Version 1 columns have no planes byte (all 8 stored) and no shift (param 0 for xor and bits).
Result<ColumnHeader> read_column_header(std::string_view body, std::size_t& pos, std::uint8_t version) {
    const std::size_t header_size = version == 1 ? k_column_header_size_v1 : k_column_header_size;
    if (body.size() - pos < header_size) return fail(Errc::corruption, "array column header is truncated");
    ColumnHeader h;
    const char* at = body.data() + pos;
    h.codec = static_cast<std::uint8_t>(at[0]);
    h.param = static_cast<std::uint8_t>(at[1]);
    h.order = static_cast<std::uint8_t>(at[2]);
    std::size_t next = 3;
    if (version > 1) h.planes = static_cast<std::uint8_t>(at[next++]);
    h.count = get_u64(at + next);
    const std::uint64_t length = get_u64(at + next + 8);
    pos += header_size;
    const bool shifted = h.codec == codec_xor || h.codec == codec_bits;
    const unsigned max_param = !shifted ? 18 : version == 1 ? 0 : 63;
    if (h.codec > codec_bits || h.order > 2 || h.param > max_param)
        return fail(Errc::corruption, "unknown array column codec");
    if (h.planes < 1 || h.planes > 8 || (h.codec == codec_raw && h.planes != 8))
        return fail(Errc::corruption, "array column has " + std::to_string(h.planes) + " byte planes");
    if (h.count > (body.size() - pos) / h.planes || length != h.planes * h.count)
        return fail(Errc::corruption, "array column length is wrong");
    h.payload = body.substr(pos, length);
    pos += length;
    return h;
}

// The words of a shuffled column in order, un-shuffled 512 at a time into a buffer on the stack (which stays
// in L1), each word handed to `use`: the column is never a vector of words.
template <class Use>
void for_each_word(const ColumnHeader& h, Use&& use) {
    constexpr std::size_t k_block = 512;
    alignas(16) std::uint64_t block[k_block];
    const std::size_t n = h.count;
    for (std::size_t at = 0; at < n; at += k_block) {
        const std::size_t m = std::min(k_block, n - at);
        unshuffle_block(h.payload.data(), n, h.planes, at, m, block);
        for (std::size_t k = 0; k < m; ++k) use(block[k]);
    }
}

// The integers of a delta-coded column (unzigzag, then `order` rounds of prefix sums), each handed to `use`.
template <class Use>
void for_each_integer(const ColumnHeader& h, Use&& use) {
    std::uint64_t a = 0, b = 0;
    switch (h.order) {
        case 0:
            for_each_word(h, [&](std::uint64_t w) { use(unzigzag(w)); });
            break;
        case 1:
            for_each_word(h, [&](std::uint64_t w) { use(a += unzigzag(w)); });
            break;
        default:
            for_each_word(h, [&](std::uint64_t w) { use(b += a += unzigzag(w)); });
            break;
    }
}

// The integers of a delta-coded column as for_each_integer gives them, a block at a time: use(n, m) sees m of
// them in n (valid during the call), for loops that then run over a block in SIMD registers.
template <class Use>
void for_each_integer_block(const ColumnHeader& h, Use&& use) {
    constexpr std::size_t k_block = 512;
    alignas(16) std::uint64_t block[k_block];
    const std::size_t n = h.count;
    std::uint64_t a = 0, b = 0;
    for (std::size_t at = 0; at < n; at += k_block) {
        const std::size_t m = std::min(k_block, n - at);
        unshuffle_block(h.payload.data(), n, h.planes, at, m, block);
        switch (h.order) {
            case 0:
                for (std::size_t k = 0; k < m; ++k) block[k] = unzigzag(block[k]);
                break;
            case 1:
                for (std::size_t k = 0; k < m; ++k) block[k] = a += unzigzag(block[k]);
                break;
            default:
                for (std::size_t k = 0; k < m; ++k) block[k] = b += a += unzigzag(block[k]);
                break;
        }
        use(block, m);
    }
}

// o[k] = double(int64(n[k])) / scale (divide) or * scale, k < m: two at a time in SSE2 where both integers lie
// in [-2^51, 2^51), converted exactly by the 1.5 * 2^52 bias (SSE2 has no int64 conversion); the others
// one at a time. Either way each value is the same correctly rounded operation on the same exact double, so
// the bits equal the scalar loop's. Decimal traces spent a quarter of a trace query in scalar divisions.
template <bool divide>
void scaled_integers(const std::uint64_t* n, std::size_t m, double scale, double* o) {
    auto one = [&](std::size_t k) {
        const double x = static_cast<double>(static_cast<std::int64_t>(n[k]));
        o[k] = divide ? x / scale : x * scale;
    };
    std::size_t k = 0;
#if defined(__SSE2__)
    constexpr std::uint64_t k_bias_bits = 0x4338000000000000ull;  // the double 1.5 * 2^52
    constexpr std::uint64_t k_half_range = std::uint64_t{1} << 51;
    const __m128i bias_bits = _mm_set1_epi64x(static_cast<long long>(k_bias_bits));
    const __m128d bias = _mm_set1_pd(std::bit_cast<double>(k_bias_bits)), s = _mm_set1_pd(scale);
    for (; k + 2 <= m; k += 2) {
        if (n[k] + k_half_range >= 2 * k_half_range || n[k + 1] + k_half_range >= 2 * k_half_range) {
            one(k);
            one(k + 1);
            continue;
        }
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(n + k));
        const __m128d x = _mm_sub_pd(_mm_castsi128_pd(_mm_add_epi64(v, bias_bits)), bias);
        _mm_storeu_pd(o + k, divide ? _mm_div_pd(x, s) : _mm_mul_pd(x, s));
    }
#endif
    for (; k < m; ++k) one(k);
}

// A float64 column decoded in one pass from its payload into `o` (h.count values): read_column + to_f64 fused,
// with the same arithmetic, so the same bits.
Status read_f64_values(const ColumnHeader& h, double precision, double* o) {
    switch (h.codec) {
        case codec_raw:
            for (std::size_t i = 0; i < h.count; ++i)
                o[i] = std::bit_cast<double>(get_u64(h.payload.data() + 8 * i));
            return {};
        case codec_xor: {
            const int shift = h.shift();
            std::uint64_t previous = 0;
            for_each_word(h,
                          [&](std::uint64_t w) { *o++ = std::bit_cast<double>((previous ^= w) << shift); });
            return {};
        }
        case codec_bits: {
            const int shift = h.shift();
            for_each_integer(h, [&](std::uint64_t w) { *o++ = std::bit_cast<double>(w << shift); });
            return {};
        }
        case codec_decimal: {
            const double scale = std::pow(10.0, h.param);
            for_each_integer_block(h, [&](const std::uint64_t* n, std::size_t m) {
                scaled_integers<true>(n, m, scale, o);
                o += m;
            });
            return {};
        }
        case codec_quantum:
            if (!(precision > 0))
                return fail(Errc::corruption, "quantised column in an array without precision");
            for_each_integer_block(h, [&](const std::uint64_t* n, std::size_t m) {
                scaled_integers<false>(n, m, precision, o);
                o += m;
            });
            return {};
        default:
            return fail(Errc::corruption, "integer column where float64 was expected");
    }
}

// An int64 column (integer or raw codec) decoded into `o` (h.count values).
Status read_i64_values(const ColumnHeader& h, std::int64_t* o) {
    if (h.codec == codec_raw) {
        for (std::size_t i = 0; i < h.count; ++i)
            o[i] = static_cast<std::int64_t>(get_u64(h.payload.data() + 8 * i));
        return {};
    }
    if (h.codec != codec_integer) return fail(Errc::corruption, "float64 column where int64 was expected");
    for_each_integer(h, [&](std::uint64_t w) { *o++ = static_cast<std::int64_t>(w); });
    return {};
}

}  // namespace

Result<std::string> encode_f64_table(const std::vector<std::vector<double>>& columns,
                                     const ArrayOptions& options) {
    if (auto ok = check_precision(options.precision); !ok) return std::unexpected(ok.error());
    const std::size_t rows = columns.empty() ? 0 : columns.front().size();
    std::string body;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].size() != rows) {
            return fail(Errc::invalid_argument, "column " + std::to_string(c) + " has " +
                                                    std::to_string(columns[c].size()) +
                                                    " values, column 0 has " + std::to_string(rows));
        }
        put_f64_column(body, columns[c], options.precision);
    }
    return finish(ArrayKind::f64_table, static_cast<std::uint32_t>(columns.size()), rows, options.precision,
                  body, options.zstd_level);
}

Result<std::string> encode_i64_table(const std::vector<std::vector<std::int64_t>>& columns, int zstd_level) {
    const std::size_t rows = columns.empty() ? 0 : columns.front().size();
    std::string body;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].size() != rows) {
            return fail(Errc::invalid_argument, "column " + std::to_string(c) + " has " +
                                                    std::to_string(columns[c].size()) +
                                                    " values, column 0 has " + std::to_string(rows));
        }
        put_integer_column(body, columns[c]);
    }
    return finish(ArrayKind::i64_table, static_cast<std::uint32_t>(columns.size()), rows, 0.0, body,
                  zstd_level);
}

Result<std::string> encode_spike_lists(const std::vector<std::vector<double>>& lists,
                                       const ArrayOptions& options) {
    if (auto ok = check_precision(options.precision); !ok) return std::unexpected(ok.error());
    std::vector<std::int64_t> lengths;
    std::vector<double> values;
    for (const auto& list : lists) {
        lengths.push_back(static_cast<std::int64_t>(list.size()));
        values.insert(values.end(), list.begin(), list.end());
    }
    std::string body;
    put_integer_column(body, lengths);
    put_f64_column(body, values, options.precision);
    return finish(ArrayKind::spike_lists, 2, lists.size(), options.precision, body, options.zstd_level);
}

Result<std::string> encode_strings(const std::vector<std::string>& strings, int zstd_level) {
    std::vector<std::int64_t> lengths, chars;
    for (const auto& text : strings) {
        lengths.push_back(static_cast<std::int64_t>(text.size()));
        for (char c : text) chars.push_back(static_cast<std::uint8_t>(c));
    }
    std::string body;
    put_integer_column(body, lengths);
    put_integer_column(body, chars);
    return finish(ArrayKind::strings, 2, strings.size(), 0.0, body, zstd_level);
}

namespace {

// An array's header, checked, and its body decompressed into this thread's buffer (valid until the thread
// decodes its next array).
struct ArrayBody {
    std::uint8_t version = k_array_format_version;
    ArrayKind kind = ArrayKind::f64_table;
    std::uint32_t ncols = 0;
    std::uint64_t nrows = 0;
    double precision = 0.0;
    std::string_view body;
};

Result<ArrayBody> open_array(std::string_view bytes) {
    if (bytes.size() < k_header_size || bytes.substr(0, 4) != k_magic) {
        return fail(Errc::corruption, "not a silico array (bad magic or too short)");
    }
    const auto version = static_cast<std::uint8_t>(bytes[4]);
    if (version > k_array_format_version || version == 0) {
        return fail(Errc::version, "array has format version " + std::to_string(version) +
                                       "; this silico reads up to " + std::to_string(k_array_format_version));
    }
    ArrayBody a;
    a.version = version;
    const auto kind = static_cast<std::uint8_t>(bytes[5]);
    if (kind < 1 || kind > 4) return fail(Errc::corruption, "unknown array kind " + std::to_string(kind));
    a.kind = static_cast<ArrayKind>(kind);
    a.ncols = get_u32(bytes.data() + 6);
    a.nrows = get_u64(bytes.data() + 10);
    a.precision = std::bit_cast<double>(get_u64(bytes.data() + 18));

    const std::string_view frame = bytes.substr(k_header_size);
    const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ull << 36)) {
        return fail(Errc::corruption, "array body is not a zstd frame");
    }
    // One buffer and one zstd context per thread, reused by every array this thread decodes: a fresh
    // buffer per trace would page-fault in again and a fresh context costs more than a small frame.
    thread_local std::string buffer;
    if (buffer.size() < size) buffer.resize(size);
    const std::size_t got =
        ZSTD_decompressDCtx(thread_zstd_dctx(), buffer.data(), size, frame.data(), frame.size());
    if (ZSTD_isError(got) || got != size) return fail(Errc::corruption, "array body does not decompress");
    a.body = std::string_view(buffer.data(), size);
    return a;
}

// Lengths (an int64 column of `rows` values) as rows + 1 offsets starting at 0; they must cover exactly the
// `total` values (or bytes) that follow, each length >= 0.
Status lengths_to_offsets(const ColumnHeader& h, std::uint64_t rows, std::uint64_t total,
                          std::vector<std::uint64_t>& offsets, const std::string& what) {
    if (h.count != rows) return fail(Errc::corruption, what + " count differs from the header");
    offsets.resize(rows + 1);
    if (auto st = read_i64_values(h, reinterpret_cast<std::int64_t*>(offsets.data() + 1)); !st) return st;
    offsets[0] = 0;
    for (std::size_t i = 1; i <= rows; ++i) {
        const auto n = static_cast<std::int64_t>(offsets[i]);
        if (n < 0 || static_cast<std::uint64_t>(n) > total - offsets[i - 1])
            return fail(Errc::corruption, what + " lengths exceed the values");
        offsets[i] = offsets[i - 1] + static_cast<std::uint64_t>(n);
    }
    if (offsets[rows] != total) return fail(Errc::corruption, what + " lengths do not cover the values");
    return {};
}

Status flat_tables(const ArrayBody& a, FlatArray& out) {
    std::size_t pos = 0;
    // Every value takes at least a byte of the body (8 in version 1): a header claiming more is corrupt, and must
    // not size the output.
    const std::size_t least = a.version == 1 ? 8 : 1;
    if (a.ncols > 0 &&
        (a.nrows > a.body.size() / least || std::uint64_t{a.ncols} * a.nrows > a.body.size() / least))
        return fail(Errc::corruption, "array column length differs from its row count");
    if (a.kind == ArrayKind::f64_table)
        out.f64.resize(std::size_t{a.ncols} * a.nrows);
    else
        out.i64.resize(std::size_t{a.ncols} * a.nrows);
    for (std::uint32_t c = 0; c < a.ncols; ++c) {
        auto h = read_column_header(a.body, pos, a.version);
        if (!h) return std::unexpected(h.error().within("array column " + std::to_string(c)));
        if (h->count != a.nrows)
            return fail(Errc::corruption, "array column length differs from its row count");
        auto st = a.kind == ArrayKind::f64_table
                      ? read_f64_values(*h, a.precision, out.f64.data() + c * a.nrows)
                      : read_i64_values(*h, out.i64.data() + c * a.nrows);
        if (!st) return std::unexpected(st.error().within("array column " + std::to_string(c)));
    }
    if (pos != a.body.size()) return fail(Errc::corruption, "array body has trailing bytes");
    return {};
}

// The two column headers of a spike-lists or strings body (lengths, then values), and nothing after them.
Result<std::pair<ColumnHeader, ColumnHeader>> two_column_headers(const ArrayBody& a, std::string_view what) {
    if (a.ncols != 2) return fail(Errc::corruption, std::string(what) + " need 2 columns");
    std::size_t pos = 0;
    auto lengths = read_column_header(a.body, pos, a.version);
    if (!lengths) return std::unexpected(lengths.error().within("array column 0"));
    auto values = read_column_header(a.body, pos, a.version);
    if (!values) return std::unexpected(values.error().within("array column 1"));
    if (pos != a.body.size()) return fail(Errc::corruption, "array body has trailing bytes");
    return std::pair{std::move(*lengths), std::move(*values)};
}

Status flat_spike_lists(const ArrayBody& a, FlatArray& out) {
    auto columns = two_column_headers(a, "spike lists");
    if (!columns) return std::unexpected(columns.error());
    const auto& [lengths, values] = *columns;
    if (auto st = lengths_to_offsets(lengths, a.nrows, values.count, out.offsets, "spike list"); !st)
        return st;
    out.f64.resize(values.count);
    if (auto st = read_f64_values(values, a.precision, out.f64.data()); !st)
        return std::unexpected(st.error().within("array column 1"));
    return {};
}

Status flat_strings(const ArrayBody& a, FlatArray& out) {
    auto columns = two_column_headers(a, "strings");
    if (!columns) return std::unexpected(columns.error());
    const auto& [lengths, chars] = *columns;
    if (auto st = lengths_to_offsets(lengths, a.nrows, chars.count, out.offsets, "string"); !st) return st;
    if (chars.codec != codec_integer)
        return fail(Errc::corruption, "float64 column where int64 was expected");
    out.bytes.resize(chars.count);
    char* o = out.bytes.data();
    bool in_range = true;
    for_each_integer(chars, [&](std::uint64_t w) {
        in_range &= w <= 255;
        *o++ = static_cast<char>(static_cast<std::uint8_t>(w));
    });
    if (!in_range) return fail(Errc::corruption, "string byte out of range");
    return {};
}

}  // namespace

Status decode_array_into(std::string_view bytes, FlatArray& out) {
    auto a = open_array(bytes);
    if (!a) return std::unexpected(a.error());
    out.kind = a->kind;
    out.precision = a->precision;
    out.rows = a->nrows;
    out.columns = a->ncols;
    switch (a->kind) {
        case ArrayKind::f64_table:
        case ArrayKind::i64_table:
            return flat_tables(*a, out);
        case ArrayKind::spike_lists:
            return flat_spike_lists(*a, out);
        case ArrayKind::strings:
            return flat_strings(*a, out);
    }
    return fail(Errc::corruption, "unknown array kind");
}

// decode_array is decode_array_into, reshaped: one decoder, so both give the same values and refuse the same
// bytes. (The flat buffer is not kept per thread: one large array would hold its memory for good.)
Result<NumericArray> decode_array(std::string_view bytes) {
    FlatArray flat;
    if (auto st = decode_array_into(bytes, flat); !st) return std::unexpected(st.error());
    NumericArray array;
    array.kind = flat.kind;
    array.precision = flat.precision;
    const auto rows = static_cast<std::ptrdiff_t>(flat.rows);
    switch (flat.kind) {
        case ArrayKind::f64_table:
            for (std::uint32_t c = 0; c < flat.columns; ++c)
                array.f64.emplace_back(flat.f64.begin() + c * rows, flat.f64.begin() + (c + 1) * rows);
            break;
        case ArrayKind::i64_table:
            for (std::uint32_t c = 0; c < flat.columns; ++c)
                array.i64.emplace_back(flat.i64.begin() + c * rows, flat.i64.begin() + (c + 1) * rows);
            break;
        case ArrayKind::spike_lists:
            for (std::size_t i = 0; i < flat.rows; ++i)
                array.f64.emplace_back(flat.f64.begin() + static_cast<std::ptrdiff_t>(flat.offsets[i]),
                                       flat.f64.begin() + static_cast<std::ptrdiff_t>(flat.offsets[i + 1]));
            break;
        case ArrayKind::strings:
            for (std::size_t i = 0; i < flat.rows; ++i) array.strings.emplace_back(flat.string(i));
            break;
    }
    return array;
}

bool same_values(const NumericArray& a, const NumericArray& b) {
    const auto same_bits = [](const std::vector<double>& x, const std::vector<double>& y) {
        return x.size() == y.size() &&
               (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
    };
    return a.kind == b.kind && a.i64 == b.i64 && a.strings == b.strings &&
           std::ranges::equal(a.f64, b.f64, same_bits);
}

std::optional<std::uint64_t> array_raw_bytes(std::string_view prefix, bool* needs_full) {
    if (needs_full) *needs_full = false;
    if (prefix.size() < k_header_size || prefix.substr(0, 4) != k_magic) return std::nullopt;
    const auto version = static_cast<std::uint8_t>(prefix[4]);
    if (version > k_array_format_version) return std::nullopt;
    const auto kind = static_cast<ArrayKind>(prefix[5]);
    const std::uint32_t ncols = get_u32(prefix.data() + 6);
    const std::uint64_t nrows = get_u64(prefix.data() + 10);
    if (kind == ArrayKind::f64_table || kind == ArrayKind::i64_table) return 8 * std::uint64_t{ncols} * nrows;
    if (kind == ArrayKind::spike_lists && version == 1) {
        // Version 1 stores 8 bytes a value: the body without its column headers is the lists' raw size.
        const std::string_view frame = prefix.substr(k_header_size);
        const unsigned long long body = ZSTD_getFrameContentSize(frame.data(), frame.size());
        if (body == ZSTD_CONTENTSIZE_ERROR || body == ZSTD_CONTENTSIZE_UNKNOWN) return std::nullopt;
        const std::uint64_t headers = std::uint64_t{ncols} * k_column_header_size_v1;
        return body >= headers ? body - headers : 0;
    }
    // Strings, and version 2 spike lists: their value counts lie inside the body.
    FlatArray full;
    if (!decode_array_into(prefix, full)) {
        if (needs_full) *needs_full = true;
        return std::nullopt;
    }
    return 8 * (full.rows + full.f64.size()) + full.bytes.size();
}

}  // namespace silico::store
