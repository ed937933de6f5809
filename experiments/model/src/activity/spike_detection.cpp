#include "silico/model/spike_detection.hpp"

#include <algorithm>

namespace silico::experiments {

std::vector<double> detect_spikes(std::span<const double> time, std::span<const double> v, double threshold) {
    std::vector<double> spikes;
    const std::size_t n = std::min(time.size(), v.size());
    for (std::size_t i = 1; i < n; ++i)
        if (v[i - 1] < threshold && v[i] >= threshold) spikes.push_back(time[i]);
    return spikes;
}

}  // namespace silico::experiments
