#include "silico/model/isf_random.hpp"

#include <bit>
#include <cmath>
#include <string>

#include "silico/core/digest.hpp"

namespace silico::experiments {

namespace {

// Smallest all-ones mask covering max (numpy's gen_mask).
std::uint64_t mask_for(std::uint64_t max) {
    if (max == 0) return 0;
    return ~std::uint64_t{0} >> std::countl_zero(max);
}

// Masked rejection: numpy's bounded_masked_uint32/uint64 (one 32-bit draw per try when max fits in 32 bits).
template <class Rng>
std::uint64_t masked_interval(Rng& rng, std::uint64_t max) {
    if (max == 0) return 0;
    std::uint64_t mask = mask_for(max);
    if (max <= 0xffffffffu) {
        std::uint64_t value;
        while ((value = (rng.next_u32() & mask)) > max) {
        }
        return value;
    }
    std::uint64_t value;
    do {
        std::uint64_t hi = rng.next_u32();
        std::uint64_t lo = rng.next_u32();
        value = ((hi << 32) | lo) & mask;
    } while (value > max);
    return value;
}

// numpy's legacy_gauss: polar method, returns f*x2 and caches f*x1.
template <class Rng>
double polar_gauss(Rng& rng, bool& has_gauss, double& cached) {
    if (has_gauss) {
        has_gauss = false;
        return cached;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * rng.random_sample() - 1.0;
        x2 = 2.0 * rng.random_sample() - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = std::sqrt(-2.0 * std::log(r2) / r2);
    cached = f * x1;
    has_gauss = true;
    return f * x2;
}

std::uint64_t splitmix_finalise(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace

template <class Derived>
std::int64_t RandomDistributions<Derived>::randint(std::int64_t low, std::int64_t high) {
    auto range = static_cast<std::uint64_t>(high - low - 1);
    return low + static_cast<std::int64_t>(masked_interval(self(), range));
}

template <class Derived>
std::uint64_t RandomDistributions<Derived>::random_interval(std::uint64_t max) {
    return masked_interval(self(), max);
}

template <class Derived>
double RandomDistributions<Derived>::standard_normal() {
    return polar_gauss(self(), m_has_gauss, m_gauss);
}

template class RandomDistributions<IsfRandomState>;
template class RandomDistributions<ShortIsfRandomState>;
template class RandomDistributions<SplitMixStream>;

ShortIsfRandomState::ShortIsfRandomState(std::uint32_t seed) : m_seed(seed) {
    m_init[0] = seed;
}

std::uint32_t ShortIsfRandomState::next_u32() {
    if (m_out >= k_lazy_outputs) {
        if (m_out == k_lazy_outputs) {
            m_full.emplace(m_seed);
            m_full->discard(k_lazy_outputs);
        }
        ++m_out;
        return static_cast<std::uint32_t>((*m_full)());
    }
    int k = m_out++;
    int need = k + 397 + 1;
    for (; m_init_count < need; ++m_init_count) {
        std::uint32_t prev = m_init[m_init_count - 1];
        m_init[m_init_count] = 1812433253u * (prev ^ (prev >> 30)) + static_cast<std::uint32_t>(m_init_count);
    }
    // MT19937 twist of word k, then tempering (Matsumoto & Nishimura 1998).
    std::uint32_t y = (m_init[k] & 0x80000000u) | (m_init[k + 1] & 0x7fffffffu);
    std::uint32_t v = m_init[k + 397] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    v ^= v >> 11;
    v ^= (v << 7) & 0x9d2c5680u;
    v ^= (v << 15) & 0xefc60000u;
    v ^= v >> 18;
    return v;
}

StreamKey::StreamKey(std::uint64_t trial_seed, std::string_view purpose, std::string_view population) {
    // Length-prefixed fields so ("ab","c") and ("a","bc") never collide.
    std::string text = "silico.stream.v1\n" + std::to_string(trial_seed) + "\n" +
                       std::to_string(purpose.size()) + ":" + std::string(purpose) + "\n" +
                       std::to_string(population.size()) + ":" + std::string(population);
    Digest d = sha256(text);
    for (int i = 0; i < 8; ++i) m_base = (m_base << 8) | d.bytes[static_cast<std::size_t>(i)];
}

std::uint64_t StreamKey::seed_for(std::uint64_t index) const {
    return splitmix_finalise(m_base ^ splitmix_finalise(index + 0x9e3779b97f4a7c15ull));
}

std::uint64_t SplitMixStream::next_u64() {
    m_state += 0x9e3779b97f4a7c15ull;
    return splitmix_finalise(m_state);
}

}  // namespace silico::experiments
