#include "silico/store/array.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "numeric_columns.hpp"

namespace silico::store {
namespace {

const std::string k_traces =
    std::string(SILICO_SHARED_DIR) + "/isf/getting_started/example_data/simulation_data/";

std::vector<std::vector<double>> read_columns(const std::string& path) {
    return testing_support::read_numeric_columns(path);
}

void expect_identical_bits(const std::vector<double>& a, const std::vector<double>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i])) << "value " << i;
    }
}

// Arrays written by version 1 (before byte planes and shifts; encoded by silico at 7b266c4), pinned as bytes:
// every store written before keeps decoding to the same bits.
std::string unhex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

struct Version1Columns {
    std::vector<double> decimal, f32, noisy;
    std::vector<std::int64_t> ints;
    Version1Columns() {
        for (int i = 0; i < 40; ++i) {
            decimal.push_back(std::round((-65.0 + 10.0 * std::sin(i * 0.3)) * 1e4) / 1e4);
            f32.push_back(
                static_cast<double>(static_cast<float>(-65.0 + 30.0 * std::sin(i * 0.7) + i * 1e-3)));
            noisy.push_back(std::sin(i * 1.7) * std::exp(i * 0.01) + 1e-9 * i);
            ints.push_back(i * i * 37 - 1000);
        }
    }
};

const std::string k_v1_decimal = unhex(
    "534c43410101010000002800000000000000000000000000000028b52ffd605300350300b40502040228004001001f00"
    "9f65ab0b99f73d21d3d904e000d438849cec70802bbd5d6375adafa343c3ad2af0d46676662ad6bd1427364145433c2f"
    "1d090b1e303c444540352613011528374145433b2e1c080c1f303d444540131400031000939a621b9816");
const std::string k_v1_float32 = unhex(
    "534c43410101010000002800000000000000000000000000000028b52ffd6053003d0500540901000028004001008080"
    "604020a0c0400060e0406000c0000020e080e0404020e0a040c0a0a00040a080c0802040e000138d7ac60d25d659a1c0"
    "e2cb3241b0f14329fee926912f8d0d077646bd77a782e708877afc1fa24096613bf598285466e4bc0f00184a264e771d"
    "8ed36c3cedfa69487dfbd977c214cd732ad4689e9d501607020819040103041b0907020818050f1f05c0000600716f80"
    "81c1300116426e900606b4");
const std::string k_v1_noisy = unhex(
    "534c43410101010000002800000000000000000000000000000028b52ffd605300c5090084120100002800400100d208"
    "f5a6d7ae319fe9b1e4d3666335dd61d93175879c7e836bd976daa85651f13fe5634d084fc100cfa2fbc4a192ca70a303"
    "138438da096cc485f53edcaed2cfcad4632e9f60e807ba7202386521710031c3a164af3b215f4286824c6c2db39ff9d7"
    "79f801afd1aeb1a45e6f4eff94cc7c36e5f4b02859007240e5e6fe07182b9a9557eef38f7f4e701b2841875424d03032"
    "95d7fcf50074097b154bbe961500aef362c76c7316832b51155847a47cbdebf5c1647143137b4fb78429b40bc8757c2d"
    "6a104bf3c80006a928f3a81bf1fe00c84a43a54e5030b4d10b41598ba7a40a9b58d2f266a4233a197bcfdfcda300f020"
    "3e0e0a0d0208362a34374d4e2b2a160d0609152624595e252210121d001e111624274f4f28003f800080008000800500"
    "300d0006dbc89509c6188016");
const std::string k_v1_ints = unhex(
    "534c43410102010000002800000000000000000000000000000028b52ffd60530025030094050400012800400100cf4a"
    "de72069a2ec256ea7e12a63ace62f68a1eb246da6e02962abe52e67a0ea236ca5ef2861aae4207000001020203030404"
    "05060607070808090a0a0b0b0c0d0d0e0e0f0f101111121213131415151600031000119b621b9816");
const std::string k_v1_spikes = unhex(
    "534c43410103020000000300000000000000000000000000000028b52ffd205e5d0100f8040001030018000605020002"
    "030104002000b8dc26090b0517f20000090800061000e90f3c684a301eb4");
const std::string k_v1_strings = unhex(
    "534c43410104020000000300000000000000000000000000000028b52ffd20e6b501008402040001030018000e0d1c00"
    "0400011500a800982d7e002937211e5e0d0b03164f4212131c11161d000610001eb40d3c684a301eb4");

TEST(ArrayEncoding, Version1ArraysStillDecodeToTheSameBits) {
    const Version1Columns v;
    for (const auto* bytes :
         {&k_v1_decimal, &k_v1_float32, &k_v1_noisy, &k_v1_ints, &k_v1_spikes, &k_v1_strings})
        ASSERT_EQ((*bytes)[4], 1) << "not a version 1 array";
    auto decimal = decode_array(k_v1_decimal);
    ASSERT_TRUE(decimal) << decimal.error().what();
    expect_identical_bits(decimal->f64.at(0), v.decimal);
    auto f32 = decode_array(k_v1_float32);
    ASSERT_TRUE(f32) << f32.error().what();
    expect_identical_bits(f32->f64.at(0), v.f32);
    auto noisy = decode_array(k_v1_noisy);
    ASSERT_TRUE(noisy) << noisy.error().what();
    expect_identical_bits(noisy->f64.at(0), v.noisy);
    auto ints = decode_array(k_v1_ints);
    ASSERT_TRUE(ints) << ints.error().what();
    EXPECT_EQ(ints->i64.at(0), v.ints);
    auto spikes = decode_array(k_v1_spikes);
    ASSERT_TRUE(spikes) << spikes.error().what();
    EXPECT_EQ(spikes->f64, (std::vector<std::vector<double>>{{1.5, 2.25, 300.125}, {}, {7.0}}));
    auto strings = decode_array(k_v1_strings);
    ASSERT_TRUE(strings) << strings.error().what();
    EXPECT_EQ(strings->strings, (std::vector<std::string>{"L5tt_C2", "", "ApicalDendrite"}));
    // The size of what they hold, as `store info` counts it, is the same in either version.
    for (const auto* bytes : {&k_v1_decimal, &k_v1_float32, &k_v1_ints, &k_v1_spikes}) {
        auto again = decode_array(*bytes);
        const std::string v2 = again->kind == ArrayKind::i64_table     ? *encode_i64_table(again->i64)
                               : again->kind == ArrayKind::spike_lists ? *encode_spike_lists(again->f64)
                                                                       : *encode_f64_table(again->f64);
        ASSERT_EQ(v2[4], k_array_format_version);
        bool needs_full = false;
        auto raw = array_raw_bytes(std::string_view(v2).substr(0, k_array_prefix_bytes), &needs_full);
        if (!raw && needs_full) raw = array_raw_bytes(v2);
        EXPECT_EQ(raw, array_raw_bytes(*bytes)) << "kind " << static_cast<int>(again->kind);
    }
}

TEST(ArrayEncoding, Float32ValuesStoreTheirBitsWithoutTheZerosFloat32Leaves) {
    // Version 2 shifts out the 29 trailing zero bits of every float32-rounded value and keeps the planes the
    // rest needs: the same column is smaller than version 1 wrote it, and decodes to the same bits.
    const Version1Columns v;
    const std::string v2 = *encode_f64_table({v.f32});
    EXPECT_LT(v2.size(), k_v1_float32.size());
    auto back = decode_array(v2);
    ASSERT_TRUE(back) << back.error().what();
    expect_identical_bits(back->f64.at(0), v.f32);
}

TEST(ArrayEncoding, SameValuesComparesBitsNotBytesOrTheDeclaredPrecision) {
    const std::vector<double> v = {-75.0, -74.25, 12.75, std::nan("")};
    const auto lossless = *decode_array(*encode_f64_table({v}));
    const auto quantised = *decode_array(*encode_f64_table({v}, {.precision = 0.25}));
    EXPECT_TRUE(same_values(lossless, quantised));  // the NaN equals the same NaN
    EXPECT_FALSE(
        same_values(*decode_array(*encode_f64_table({{0.0}})), *decode_array(*encode_f64_table({{-0.0}}))));
    EXPECT_FALSE(same_values(lossless, *decode_array(*encode_spike_lists({v}))));   // another kind
    EXPECT_FALSE(same_values(lossless, *decode_array(*encode_f64_table({v, v}))));  // another shape
}

TEST(ArrayEncoding, RealIsfTracesRoundTripBitForBit) {
    for (const char* file :
         {"C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240/20240_vm_all_traces.csv",
          "voltage_traces/step_current_1.507.csv"}) {
        const auto columns = read_columns(k_traces + file);
        ASSERT_GE(columns.size(), 2u) << file;
        auto bytes = encode_f64_table(columns);
        ASSERT_TRUE(bytes) << bytes.error().what();
        EXPECT_LT(bytes->size() * 14, columns.size() * columns[0].size() * 8 * 10)
            << "lossless ratio below 1.4x";
        auto back = decode_array(*bytes);
        ASSERT_TRUE(back) << back.error().what();
        EXPECT_EQ(back->kind, ArrayKind::f64_table);
        EXPECT_EQ(back->precision, 0.0);
        ASSERT_EQ(back->f64.size(), columns.size());
        for (std::size_t c = 0; c < columns.size(); ++c) expect_identical_bits(back->f64[c], columns[c]);
    }
}

TEST(ArrayEncoding, FullPrecisionValuesRoundTripBitForBit) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::vector<double> v(5000);
    double x = -65.0;
    for (auto& e : v) e = (x += 0.01 * noise(rng));
    v[10] = std::numeric_limits<double>::quiet_NaN();
    v[11] = std::numeric_limits<double>::infinity();
    v[12] = -0.0;
    v[13] = std::numeric_limits<double>::denorm_min();
    auto bytes = encode_f64_table({v});
    ASSERT_TRUE(bytes);
    auto back = decode_array(*bytes);
    ASSERT_TRUE(back) << back.error().what();
    expect_identical_bits(back->f64[0], v);
}

TEST(ArrayEncoding, ExactDecimalColumnsKeepTheSignOfZero) {
    const std::vector<double> v = {0.5, -0.0, 1.25, 0.0, -2.0};  // decimals, but an integer has no -0
    auto bytes = encode_f64_table({v});
    ASSERT_TRUE(bytes);
    auto back = decode_array(*bytes);
    ASSERT_TRUE(back) << back.error().what();
    expect_identical_bits(back->f64[0], v);
}

TEST(ArrayEncoding, EveryCodecRoundTripsAtLengthsAroundTheDecodersBlockSizes) {
    // The decoder un-shuffles 16 words at a time and hands on blocks of 512; lengths on and around those
    // edges, for each float64 codec (decimal, quantum, xor/bits) and for spike lists and integer tables.
    std::mt19937_64 rng(11);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (std::size_t n : {1u, 15u, 16u, 17u, 511u, 512u, 513u, 1024u, 1041u}) {
        std::vector<double> decimal(n), full(n);
        std::vector<std::int64_t> integers(n);
        double x = -65.0;
        for (std::size_t i = 0; i < n; ++i) {
            decimal[i] = std::round((x += 0.3 * noise(rng)) * 1000.0) / 1000.0;
            full[i] = x + 1e-9 * noise(rng);
            integers[i] = static_cast<std::int64_t>(rng()) >> (i % 60);
        }
        for (double precision : {0.0, 0.001}) {
            auto bytes = encode_f64_table({decimal, full}, {.precision = precision});
            ASSERT_TRUE(bytes);
            auto back = decode_array(*bytes);
            ASSERT_TRUE(back) << back.error().what();
            ASSERT_EQ(back->f64.size(), 2u);
            if (precision == 0.0) {
                expect_identical_bits(back->f64[0], decimal);
                expect_identical_bits(back->f64[1], full);
            } else {
                for (std::size_t i = 0; i < n; ++i)
                    ASSERT_NEAR(back->f64[1][i], full[i], 0.0005) << n << " " << i;
            }
        }
        auto table = decode_array(*encode_i64_table({integers}));
        ASSERT_TRUE(table);
        EXPECT_EQ(table->i64[0], integers) << n;
        std::vector<std::vector<double>> lists = {full, {}, decimal};
        auto spikes = decode_array(*encode_spike_lists(lists));
        ASSERT_TRUE(spikes);
        ASSERT_EQ(spikes->f64.size(), 3u);
        expect_identical_bits(spikes->f64[0], full);
        EXPECT_TRUE(spikes->f64[1].empty());
        expect_identical_bits(spikes->f64[2], decimal);
    }
}

// The decoder converts the stored integers of decimal and quantised columns two at a time where they lie in
// [-2^51, 2^51) and one at a time elsewhere: integers on both sides of those edges, in pairs that mix them.
TEST(ArrayEncoding, DecimalAndQuantisedColumnsDecodeTheSameBitsOnBothSidesOfTheFastConversionsRange) {
    const double edge = 2251799813685248.0;  // 2^51
    std::vector<double> integers, decimals;
    for (double v :
         {edge - 1, edge, edge + 2, -edge, -edge - 2, 3.0e15, -3.0e15, 0.0, 7.0, -9.0, 1.0, 4.0e15})
        integers.push_back(v);
    for (std::size_t i = 0; i < 1041; ++i)
        decimals.push_back(static_cast<double>(i * 7919 % 20011) / 1000.0 - 9.5);
    decimals[700] = 1234567890.125;  // a large value among small ones: one pair takes the slow path
    auto lossless = decode_array(*encode_f64_table({integers}));
    ASSERT_TRUE(lossless) << lossless.error().what();
    expect_identical_bits(lossless->f64[0], integers);
    auto exact = decode_array(*encode_f64_table({decimals}));
    ASSERT_TRUE(exact) << exact.error().what();
    expect_identical_bits(exact->f64[0], decimals);
    const double q =
        1.0;  // every value is a whole number of quanta below 2^52: the column is stored quantised
    auto quantised = decode_array(*encode_f64_table({integers}, {.precision = q}));
    ASSERT_TRUE(quantised) << quantised.error().what();
    expect_identical_bits(quantised->f64[0], integers);
}

TEST(ArrayEncoding, DeclaredPrecisionKeepsEveryValueWithinHalfAQuantum) {
    const auto columns = read_columns(
        k_traces +
        "C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240/20240_vm_all_traces.csv");
    const double q = 0.001;  // 1 uV on traces in mV
    auto bytes = encode_f64_table(columns, {.precision = q});
    ASSERT_TRUE(bytes);
    EXPECT_LT(bytes->size() * 4, columns.size() * columns[0].size() * 8) << "1 uV ratio below 4x";
    auto back = decode_array(*bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->precision, q);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        for (std::size_t i = 0; i < columns[c].size(); ++i) {
            ASSERT_LE(std::fabs(back->f64[c][i] - columns[c][i]), q / 2 * (1 + 1e-9)) << c << "," << i;
        }
    }
}

TEST(ArrayEncoding, DeclaredPrecisionFallsBackToLosslessForNonFiniteColumns) {
    const std::vector<double> v = {1.0, std::numeric_limits<double>::quiet_NaN(), 2.5};
    auto back = decode_array(*encode_f64_table({v}, {.precision = 0.1}));
    ASSERT_TRUE(back);
    expect_identical_bits(back->f64[0], v);
}

TEST(ArrayEncoding, IntegerTablesRoundTripIncludingExtremes) {
    const std::vector<std::vector<std::int64_t>> columns = {
        {0, 1, -1, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(), 42},
        {5, 6, 7, 8, 9, 10}};
    auto back = decode_array(*encode_i64_table(columns));
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(back->kind, ArrayKind::i64_table);
    EXPECT_EQ(back->i64, columns);
}

TEST(ArrayEncoding, SpikeListsRoundTripIncludingEmptyLists) {
    const std::vector<std::vector<double>> lists = {{173.625, 214.4}, {}, {}, {12.0, 13.5, 250.125}, {}};
    auto bytes = encode_spike_lists(lists);
    ASSERT_TRUE(bytes);
    auto back = decode_array(*bytes);
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(back->kind, ArrayKind::spike_lists);
    EXPECT_EQ(back->f64, lists);
}

TEST(ArrayEncoding, StringsRoundTripIncludingEmptyAndNonAsciiOnes) {
    const std::vector<std::string> strings = {"L5tt_C2", "", "ApicalDendrite", "\xc2\xb5m",
                                              std::string("a\0b", 3)};
    auto bytes = encode_strings(strings);
    ASSERT_TRUE(bytes);
    auto back = decode_array(*bytes);
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(back->kind, ArrayKind::strings);
    EXPECT_EQ(back->strings, strings);
    auto none = decode_array(*encode_strings({}));
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->strings.empty());
}

TEST(ArrayEncoding, EmptyTableRoundTrips) {
    auto back = decode_array(*encode_f64_table({}));
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->f64.empty());
    auto one_empty = decode_array(*encode_f64_table({{}}));
    ASSERT_TRUE(one_empty);
    ASSERT_EQ(one_empty->f64.size(), 1u);
    EXPECT_TRUE(one_empty->f64[0].empty());
}

TEST(ArrayEncoding, ColumnsOfDifferentLengthsAreRejected) {
    EXPECT_EQ(encode_f64_table({{1.0, 2.0}, {1.0}}).error().code, Errc::invalid_argument);
    EXPECT_EQ(encode_i64_table({{1}, {}}).error().code, Errc::invalid_argument);
    EXPECT_EQ(encode_f64_table({{1.0}}, {.precision = -1}).error().code, Errc::invalid_argument);
}

TEST(ArrayEncoding, DamagedBytesAreCorruptionNotWrongData) {
    const std::string good = *encode_f64_table({{1.5, 2.5, 3.5}, {4.0, 5.0, 6.0}});
    EXPECT_EQ(decode_array("").error().code, Errc::corruption);
    EXPECT_EQ(decode_array("XXXX" + good.substr(4)).error().code, Errc::corruption);
    EXPECT_EQ(decode_array(good.substr(0, good.size() - 3)).error().code, Errc::corruption);
    std::string newer = good;
    newer[4] = static_cast<char>(k_array_format_version + 1);
    EXPECT_EQ(decode_array(newer).error().code, Errc::version);
    std::string rows = good;
    rows[10] = 9;  // header claims 9 rows
    EXPECT_EQ(decode_array(rows).error().code, Errc::corruption);
}

// decode_array_into gives decode_array's values laid out flat, into one FlatArray reused across kinds and sizes.
TEST(ArrayEncoding, FlatDecodingEqualsDecodeArrayForEveryKindWithOneReusedOutput) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(-65.0, 3.0);
    std::vector<double> trace(1500);
    for (auto& v : trace) v = noise(rng);
    const std::vector<std::string> arrays = {
        *encode_f64_table({trace, trace}),
        *encode_f64_table({trace}, {.precision = 0.001}),
        *encode_i64_table({{1, -2, 3}, {std::numeric_limits<std::int64_t>::min(), 0, 7}}),
        *encode_spike_lists({{1.5, 2.5}, {}, {3.25}}),
        *encode_strings({"L5tt_C2", "", "\xc2\xb5m"}),
        *encode_spike_lists({}),
        *encode_f64_table({{0.5}}),
    };
    FlatArray flat;
    for (std::size_t n = 0; n < arrays.size(); ++n) {
        SCOPED_TRACE("array " + std::to_string(n));
        auto want = decode_array(arrays[n]);
        ASSERT_TRUE(want);
        ASSERT_TRUE(decode_array_into(arrays[n], flat));
        EXPECT_EQ(flat.kind, want->kind);
        EXPECT_EQ(flat.precision, want->precision);
        switch (want->kind) {
            case ArrayKind::f64_table:
                ASSERT_EQ(flat.columns, want->f64.size());
                for (std::size_t c = 0; c < flat.columns; ++c)
                    expect_identical_bits(
                        {flat.f64.begin() + static_cast<std::ptrdiff_t>(c * flat.rows),
                         flat.f64.begin() + static_cast<std::ptrdiff_t>((c + 1) * flat.rows)},
                        want->f64[c]);
                break;
            case ArrayKind::i64_table:
                ASSERT_EQ(flat.columns, want->i64.size());
                for (std::size_t c = 0; c < flat.columns; ++c)
                    EXPECT_EQ(std::vector<std::int64_t>(
                                  flat.i64.begin() + static_cast<std::ptrdiff_t>(c * flat.rows),
                                  flat.i64.begin() + static_cast<std::ptrdiff_t>((c + 1) * flat.rows)),
                              want->i64[c]);
                break;
            case ArrayKind::spike_lists:
                ASSERT_EQ(flat.rows, want->f64.size());
                ASSERT_EQ(flat.offsets.size(), flat.rows + 1);
                for (std::size_t i = 0; i < flat.rows; ++i)
                    EXPECT_EQ(std::vector<double>(
                                  flat.f64.begin() + static_cast<std::ptrdiff_t>(flat.offsets[i]),
                                  flat.f64.begin() + static_cast<std::ptrdiff_t>(flat.offsets[i + 1])),
                              want->f64[i]);
                break;
            case ArrayKind::strings:
                ASSERT_EQ(flat.rows, want->strings.size());
                for (std::size_t i = 0; i < flat.rows; ++i) EXPECT_EQ(flat.string(i), want->strings[i]);
                break;
        }
    }
}

TEST(ArrayEncoding, FlatDecodingRefusesDamagedBytesAsDecodeArrayDoes) {
    FlatArray flat;
    const std::string good = *encode_spike_lists({{1.0, 2.0}, {3.0}});
    EXPECT_EQ(decode_array_into("", flat).error().code, Errc::corruption);
    EXPECT_EQ(decode_array_into(good.substr(0, good.size() - 3), flat).error().code, Errc::corruption);
    std::string rows = good;
    rows[10] = 9;  // header claims 9 lists
    EXPECT_EQ(decode_array_into(rows, flat).error().code, Errc::corruption);
    std::string table = *encode_f64_table({{1.5, 2.5, 3.5}});
    table[17] = 0x7f;  // header claims ~2^63 rows: refused before anything is sized by it
    EXPECT_EQ(decode_array_into(table, flat).error().code, Errc::corruption);
    std::string newer = good;
    newer[4] = static_cast<char>(k_array_format_version + 1);
    EXPECT_EQ(decode_array_into(newer, flat).error().code, Errc::version);
}

}  // namespace
}  // namespace silico::store
