#pragma once

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace tc::data {

/// A small, fully specified pseudo-random generator (SplitMix64).
///
/// The data layer uses it instead of <random>: std::shuffle and the std distributions are
/// implementation-defined, so the same seed could give another split or another augmentation
/// on another standard library. Every value here is defined bit for bit by this file.
class Random {
public:
    explicit Random(std::uint64_t seed)
        : m_state(seed) {}

    /// A seed derived from several values (seed, epoch, sample index…) so that independent
    /// streams never depend on the order in which threads draw from them.
    static std::uint64_t derive(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0,
                                std::uint64_t c = 0) {
        std::uint64_t h = mix(seed ^ 0x6a09e667f3bcc909ull);
        h = mix(h ^ (a + 0x9e3779b97f4a7c15ull));
        h = mix(h ^ (b + 0xbb67ae8584caa73bull));
        return mix(h ^ (c + 0x3c6ef372fe94f82bull));
    }

    std::uint64_t next() {
        m_state += 0x9e3779b97f4a7c15ull;
        return mix(m_state);
    }

    /// Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    /// Uniform in [low, high).
    double uniform(double low, double high) { return low + (high - low) * uniform(); }

    /// Uniform integer in [0, bound), without modulo bias (Lemire's method needs 128-bit
    /// products; rejection keeps it portable).
    std::uint64_t below(std::uint64_t bound) {
        if (bound <= 1)
            return 0;
        const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
        std::uint64_t value = next();
        while (value >= limit)
            value = next();
        return value % bound;
    }

    /// Standard normal by Box-Muller (one value per call; the pair's twin is dropped so that
    /// the stream position never depends on earlier calls' parity).
    double normal() {
        double u1 = uniform();
        while (u1 <= 0.0)
            u1 = uniform();
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

    /// Fisher-Yates shuffle with this generator.
    template <typename T> void shuffle(std::vector<T>& values) {
        for (std::size_t i = values.size(); i > 1; --i) {
            const std::size_t j = static_cast<std::size_t>(below(i));
            std::swap(values[i - 1], values[j]);
        }
    }

private:
    static std::uint64_t mix(std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    std::uint64_t m_state;
};

} // namespace tc::data
