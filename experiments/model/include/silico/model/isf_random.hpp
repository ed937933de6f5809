// Random numbers for presynaptic activity, in two modes (ISF single_cell_parser/network.py,
// simrun/seed_manager.py; docs/synaptic_input.md).
//
// `isf`: IsfRandomState is a bit-exact emulation of numpy's legacy `RandomState` (MT19937), the generator ISF
// draws every random number from. Same seed and same call sequence give the same numbers as numpy, so an ISF
// user who runs the same parameters with the same seed gets the same spike trains.
//
// `independent`: StreamKey/SplitMix streams derived from a trial seed with SHA-256, one stream per
// (purpose, population, index), so a number never depends on which other populations, synapses or trials were
// drawn before it (order- and batch-independent, which per-trial caching requires).
//
// The derived distributions (uniform, exponential, normal, lognormal, randint) are written once, in
// RandomDistributions, over each generator's bit source; for the MT19937 generators they are numpy's legacy
// formulas, so isf mode stays bit-exact.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string_view>

namespace silico::experiments {

// numpy's random_sample from two 32-bit MT19937 outputs: (a >> 5, b >> 6) combined to a 53-bit double in [0,
// 1).
inline double numpy_double(std::uint32_t a, std::uint32_t b) {
    return ((a >> 5) * 67108864.0 + (b >> 6)) / 9007199254740992.0;
}

// numpy's legacy distributions over a bit source. `Derived` provides next_u32() and random_sample().
template <class Derived>
class RandomDistributions {
  public:
    // uniform(low, high) = low + (high - low) * random_sample(), numpy's evaluation order.
    double uniform(double low, double high) { return low + (high - low) * self().random_sample(); }
    // uniform(size=n) / random_sample(n): fills out in order.
    void fill_random_sample(std::span<double> out) {
        for (double& v : out) v = self().random_sample();
    }

    // randint(low, high) for high - low <= 2^32: masked rejection on 32-bit outputs (numpy's default int64
    // path with use_masked=True). Requires low < high.
    std::int64_t randint(std::int64_t low, std::int64_t high);
    // random_interval(max) as used by legacy shuffle/permutation: uniform integer in [0, max], masked
    // rejection.
    std::uint64_t random_interval(std::uint64_t max);

    // standard_exponential() = -log(1 - random_sample()); exponential(scale) = scale * that.
    double standard_exponential() { return -std::log(1.0 - self().random_sample()); }
    double exponential(double scale = 1.0) { return scale * standard_exponential(); }

    // Legacy polar Box-Muller with one cached value (numpy's `has_gauss`), so calls interleave like numpy.
    double standard_normal();
    double normal(double loc, double scale) { return loc + scale * standard_normal(); }
    // lognormal(mean, sigma) = exp(normal(mean, sigma)).
    double lognormal(double mean, double sigma) { return std::exp(normal(mean, sigma)); }

  protected:
    // np.random.seed drops a cached Gaussian.
    void drop_cached_gauss() {
        m_has_gauss = false;
        m_gauss = 0.0;
    }

  private:
    Derived& self() { return static_cast<Derived&>(*this); }
    bool m_has_gauss = false;
    double m_gauss = 0.0;
};

// numpy.random.RandomState (legacy seeding and distributions). The engine is std::mt19937, whose seeding is
// MT19937's init_genrand(seed), exactly numpy's legacy integer seeding.
class IsfRandomState : public RandomDistributions<IsfRandomState> {
  public:
    explicit IsfRandomState(std::uint32_t seed = 5489u) { seed_with(seed); }

    // np.random.seed(seed): re-initialises the engine and drops a cached Gaussian.
    void seed_with(std::uint32_t seed) {
        m_engine.seed(seed);
        drop_cached_gauss();
    }

    // One raw 32-bit MT19937 output (genrand_int32).
    std::uint32_t next_u32() { return static_cast<std::uint32_t>(m_engine()); }
    // random_sample() / rand() / uniform().
    double random_sample() {
        std::uint32_t a = next_u32();
        return numpy_double(a, next_u32());
    }
    // Skips n random_sample() draws (2n engine outputs; libstdc++ skips whole blocks without tempering).
    void discard_samples(std::uint64_t n) { m_engine.discard(2 * n); }

  private:
    std::mt19937 m_engine;
};

// IsfRandomState for short-lived generators (ISF's per-cell spike-train RandomState(seed), ~25,000 per trial,
// each drawing a handful of numbers). Output k < 227 of MT19937 only needs initial words k, k+1 and k+397, so
// this computes the seeding lazily instead of initialising and twisting all 624 words; from output 227 on it
// switches to a full std::mt19937. Bit-identical to IsfRandomState(seed).
class ShortIsfRandomState : public RandomDistributions<ShortIsfRandomState> {
  public:
    explicit ShortIsfRandomState(std::uint32_t seed);

    std::uint32_t next_u32();
    double random_sample() {
        std::uint32_t a = next_u32();
        return numpy_double(a, next_u32());
    }

  private:
    static constexpr int k_lazy_outputs = 227;  // 624 - 397
    std::uint32_t m_init[624];
    int m_init_count = 1;                // initial words computed so far
    int m_out = 0;                       // outputs produced so far
    std::optional<std::mt19937> m_full;  // from output k_lazy_outputs on; built late since seeding costs
    std::uint32_t m_seed;
};

// A 64-bit seed for one independent stream: SHA-256 over (trial seed, purpose, population) computed once per
// population, then mixed with the index (cell or synapse number) by SplitMix64's finaliser.
class StreamKey {
  public:
    StreamKey(std::uint64_t trial_seed, std::string_view purpose, std::string_view population);
    std::uint64_t seed_for(std::uint64_t index) const;

  private:
    std::uint64_t m_base = 0;
};

// SplitMix64 stream (Steele, Lea & Flood 2014) with the same distribution methods as IsfRandomState, so the
// activity code is written once for both modes. Not numpy-compatible; statistically sound and cheap to seed.
class SplitMixStream : public RandomDistributions<SplitMixStream> {
  public:
    explicit SplitMixStream(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next_u64();
    std::uint32_t next_u32() { return static_cast<std::uint32_t>(next_u64() >> 32); }
    double random_sample() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  private:
    std::uint64_t m_state;
};

extern template class RandomDistributions<IsfRandomState>;
extern template class RandomDistributions<ShortIsfRandomState>;
extern template class RandomDistributions<SplitMixStream>;

}  // namespace silico::experiments
