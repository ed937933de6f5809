// libFuzzer target: parse_amira_lattice must return a lattice or an error for any input, never crash. An
// accepted lattice must be consistent (values = nx*ny*nz, finite values, positive finite spacing), its
// nearest-voxel lookups must stay in range, cropping must keep every non-zero value in place, and writing it
// must read back to the same lattice.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "silico/model/amira_mesh.hpp"

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace silico::experiments;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto l = parse_amira_lattice(text, "fuzz.am");
    if (!l) {
        check(!l.error().message.empty());
        return 0;
    }
    check(l->values.size() == l->voxel_count());
    bool moderate = true;
    for (int a = 0; a < 3; ++a) {
        check(l->dims[a] > 0);
        check(std::isfinite(l->spacing[a]) && l->spacing[a] > 0);
        moderate = moderate && std::abs(l->origin[a]) < 1e9 && l->spacing[a] > 1e-6 && l->spacing[a] < 1e9;
    }
    for (double v : l->values) check(std::isfinite(v));
    // Lookups at every voxel centre find that voxel.
    if (moderate && l->voxel_count() <= 4096)
        for (int k = 0; k < l->dims[2]; ++k)
            for (int j = 0; j < l->dims[1]; ++j)
                for (int i = 0; i < l->dims[0]; ++i) {
                    const std::array<double, 3> c{l->origin[0] + (i + 0.5) * l->spacing[0],
                                                  l->origin[1] + (j + 0.5) * l->spacing[1],
                                                  l->origin[2] + (k + 0.5) * l->spacing[2]};
                    auto v = l->voxel_of(c);
                    check(v.has_value() && (*v)[0] == i && (*v)[1] == j && (*v)[2] == k);
                }
    if (!moderate || l->voxel_count() > 4096) return 0;
    // Round trip through the writer.
    auto back = parse_amira_lattice(format_amira_lattice(*l), "back.am");
    check(back.has_value());
    check(back->dims == l->dims && back->values == l->values);
    for (int a = 0; a < 3; ++a) check(std::abs(back->spacing[a] - l->spacing[a]) <= 1e-9 * l->spacing[a]);
    // Cropping keeps every non-zero value at its position.
    ScalarLattice cropped = *l;
    crop_to_nonzero(cropped);
    check(cropped.values.size() == cropped.voxel_count());
    double sum = 0, sum_cropped = 0;
    for (double v : l->values) sum += std::abs(v);
    for (double v : cropped.values) sum_cropped += std::abs(v);
    check(sum == sum_cropped);
    return 0;
}
