// libFuzzer target: recipe parsing, validation, canonicalisation and expansion.
// Properties checked: no crash; loading the same text twice gives the same canonical bytes and keys.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "silico/recipes/plan.hpp"

namespace {

namespace fs = std::filesystem;

// A small cell and network the corpus recipes refer to (cell.param, net.param, ...).
fs::path g_dir;

void write(const std::string& name, const std::string& text) {
    std::ofstream(g_dir / name) << text;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    g_dir = fs::temp_directory_path() / ("silico-recipe-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(g_dir);
    write("cell.hoc", "{create soma}\n{pt3dadd(0,0,0,10)}\n{pt3dadd(0,10,0,10)}\n");
    write("cell.param",
          "{'neuron': {'filename': 'cell.hoc'}, 'sim': {'recordingSites': ['sites.landmarkAscii']}}");
    write("cell.toml", "[neuron]\nfilename = \"cell.hoc\"\n");
    write("sites.landmarkAscii", "@1\n0 5 0\n");
    write("cell.syn", "L2_C2\t0\t0.5\n");
    write("cell.con", "L2_C2\t0\t0\n");
    write("net.param",
          "{'network': {'L2_C2': {'cellNr': 1, 'celltype': 'spiketrain', 'interval': 100.0, "
          "'synapses': {'distributionFile': 'cell.syn', 'connectionFile': 'cell.con'}}}}");
    write("activation.csv", "# synapse type\n");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace silico::recipes;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto a = parse_recipe(text, "fuzz.toml", g_dir);
    if (!a) {
        for (const auto& d : a.error()) {
            if (d.message.empty()) std::abort();  // every diagnostic says what is wrong
        }
        return 0;
    }
    auto b = parse_recipe(text, "fuzz.toml", g_dir);
    if (!b || a->canonical != b->canonical || a->root_seed != b->root_seed) std::abort();
    // Bound the work per input: sweeps multiply.
    const auto trials = a->document["simulation"]["trials"].get<std::int64_t>();
    if (a->condition_count() > 200 || trials > 200) return 0;
    KeyContext context;
    context.neuron_version = "fuzz";
    auto plan = expand(*a, context);
    if (!plan) std::abort();  // parse_recipe already checked every condition
    if (plan->trials.size() != a->condition_count() * static_cast<std::size_t>(trials)) std::abort();
    if (!plan->trials.empty()) (void)explain_trial(*plan, context, plan->trials.size() - 1);
    return 0;
}
