// Evoked and replay trials: the network built once per worker, activity per trial (network_trial.hpp).
#include "network_trial.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "silico/model/network_builder.hpp"
#include "silico/model/network_modify.hpp"
#include "silico/model/network_parameters.hpp"
#include "silico/model/simrun_rows.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/recipes/isf_param.hpp"
#include "silico/store/array.hpp"
#include "silico/store/trial_outputs.hpp"
#include "silico/trial/trial_runner.hpp"

namespace silico::experiments::detail {

namespace {

using Json = nlohmann::ordered_json;
namespace rc = recipes;

// The network parameter tree of `spec`: the given one, or ISF's create_network_parameter on the builder's
// inputs.
Result<NetworkParameters> network_parameters(const rc::Spec& spec) {
    if (spec.input.builder) {
        const auto& b = *spec.input.builder;
        NetworkBuildInputs in;
        auto ongoing = rc::read_isf_param(b.ongoing_template);
        if (!ongoing) return std::unexpected(ongoing.error().within("input.builder.template"));
        in.ongoing_template = std::move(*ongoing);
        for (const auto& file : b.evoked) {
            auto evoked = rc::read_isf_param(file);
            if (!evoked) return std::unexpected(evoked.error().within("input.builder.evoked"));
            in.evoked.push_back(std::move(*evoked));
        }
        auto counts = read_connected_cells_file(b.cell_numbers);
        if (!counts) return std::unexpected(counts.error().within("input.builder.cell_numbers"));
        in.cell_counts = std::move(*counts);
        in.syn_file = b.syn.string();
        in.con_file = b.con.string();
        in.whisker = b.whisker;
        in.deflection_offset = b.deflection_offset;
        auto tree = build_network_parameters(in);
        if (!tree) return std::unexpected(tree.error().within("input.builder"));
        return network_from_tree(*tree, "input.builder");
    }
    const auto& n = spec.input.network;
    if (!n.present() || !n.tree) return fail(Errc::invalid_argument, "the trial has no input.network");
    return network_from_tree(*n.tree, n.file.empty() ? "input.network" : n.file.string());
}

// ISF maps the .syn of every population in order, each type once (ISF_SPEC.md §6 step 1).
Result<SynapseDistribution> synapse_distribution(const PreparedNetwork& network) {
    SynapseDistribution all;
    std::set<std::string> read;
    for (const auto& p : network.parameters.populations) {
        const auto& file = p.synapses.distribution_file;
        if (file.empty() || !read.insert(file).second) continue;
        auto syn = read_syn_file(file);
        if (!syn) return std::unexpected(syn.error().within("population " + p.name));
        for (auto& type : syn->types)
            if (all.find(type.name) < 0) all.types.push_back(std::move(type));
    }
    return all;
}

}  // namespace

Result<std::unique_ptr<NetworkInput>> NetworkInput::build(Simulator& simulator, const NeuronCell& cell,
                                                          const rc::Spec& spec) {
    std::unique_ptr<NetworkInput> n(new NetworkInput);
    auto parameters = network_parameters(spec);
    if (!parameters) return std::unexpected(parameters.error());
    auto prepared = prepare_network(std::move(*parameters));
    if (!prepared) return std::unexpected(prepared.error().within("input network"));
    n->m_network = std::move(*prepared);
    for (const auto& p : n->m_network.parameters.populations) {
        n->m_release_prob.push_back(p.synapses.release_prob);
        n->m_release_dynamic.push_back(p.synapses.release_dynamic);
    }
    if (spec.experiment.protocol == rc::Protocol::replay) {
        if (!spec.input.replay) return fail(Errc::invalid_argument, "protocol replay needs input.replay");
        auto rows = read_synapse_activation_file(*spec.input.replay);
        if (!rows) return std::unexpected(rows.error().within("input.replay"));
        auto activity = activity_from_replay(n->m_network, *rows);
        if (!activity) return std::unexpected(activity.error().within("input.replay"));
        auto sites = place_replayed_synapses(cell.model(), n->m_network, *rows);
        if (!sites) return std::unexpected(sites.error().within("input.replay"));
        n->m_sites = std::move(*sites);
        n->m_replayed = std::move(*activity);
        n->m_replay = true;
    } else {
        auto syn = synapse_distribution(n->m_network);
        if (!syn) return std::unexpected(syn.error());
        auto sites = place_synapses(cell.model(), n->m_network, *syn);
        if (!sites) return std::unexpected(sites.error());
        n->m_sites = std::move(*sites);
    }
    n->m_placement = n->m_sites.placement(n->m_network);
    if (!n->m_replay) {
        auto file_modify = network_modify_list(n->m_network.parameters.network_modify_functions);
        if (!file_modify)
            return std::unexpected(file_modify.error().within("input network: network_modify_functions"));
        n->m_file_modify = std::move(*file_modify);
    }
    auto model = SynapsePools::create(simulator, cell, n->m_network);
    if (!model) return std::unexpected(model.error());
    n->m_model = std::make_unique<SynapsePools>(std::move(*model));
    return n;
}

NetworkInput::~NetworkInput() = default;

NetworkInput::IsfStream NetworkInput::take_isf_stream() {
    return std::exchange(m_isf, IsfStream{});
}

void NetworkInput::continue_isf_stream(IsfStream stream) {
    m_isf = std::move(stream);
}

Status NetworkInput::load(const rc::Spec& spec, std::uint64_t trial, std::uint64_t seed) {
    if (m_replay) {
        m_activity = *m_replayed;
    } else {
        // releaseProb as the trial asks: the override for every population, or the file's values.
        auto& populations = m_network.parameters.populations;
        for (std::size_t p = 0; p < populations.size(); ++p) {
            auto& s = populations[p].synapses;
            s.release_prob =
                spec.input.release_probability ? spec.input.release_probability : m_release_prob[p];
            s.release_dynamic = spec.input.release_probability ? false : m_release_dynamic[p];
        }
        const ActivityOptions options{spec.simulation.tstop};
        if (spec.seeds.mode == rc::SeedMode::isf) {
            if (seed > 0xffffffffULL)
                return fail(Errc::invalid_argument,
                            "isf seed " + std::to_string(seed) + " is not below 2^32 (numpy's seed range)");
            // ISF seeds once per process and continues the stream over sweeps: trial i is the (i+1)-th
            // draw after seeding. Consecutive trials of one condition continue; anything else starts over.
            const std::string position =
                Json::array(
                    {seed,
                     spec.input.release_probability ? Json(*spec.input.release_probability) : Json(nullptr),
                     spec.simulation.tstop})
                    .dump();
            if (!m_isf.rng || position != m_isf.position || trial < m_isf.next) {
                m_isf.rng.emplace(static_cast<std::uint32_t>(seed));
                m_isf.position = position;
                m_isf.next = 0;
            }
            for (; m_isf.next < trial; ++m_isf.next) {
                auto skipped = generate_activity_isf(m_network, *m_isf.rng, options);
                if (!skipped)
                    return std::unexpected(skipped.error().within("isf sweep " + std::to_string(m_isf.next)));
            }
            auto activity = generate_activity_isf(m_network, *m_isf.rng, options);
            if (!activity) {
                m_isf.rng.reset();  // the stream stopped mid-sweep
                return std::unexpected(activity.error());
            }
            ++m_isf.next;
            m_activity = std::move(*activity);
        } else {
            auto activity = generate_activity_independent(m_network, seed, options);
            if (!activity) return std::unexpected(activity.error());
            m_activity = std::move(*activity);
        }
        // ISF applies network_modify_functions after connect & release (ISF_SPEC §6 step 5); they draw no
        // random numbers, so the isf stream above is unaffected. The file's come first, then the recipe's.
        if (auto st = apply_network_modify_functions(m_network, m_placement, m_file_modify, m_activity); !st)
            return std::unexpected(st.error().within("input network: network_modify_functions"));
        if (auto st = apply_network_modify_functions(m_network, m_placement, spec.input.modify, m_activity);
            !st)
            return std::unexpected(st.error().within("input.modify"));
    }
    if (auto st = m_model->reserve(SynapsePools::slots_needed(m_network, m_activity)); !st)
        return std::unexpected(st.error());
    return m_model->load(m_activity, m_sites);
}

Result<std::vector<SynapseActivationRow>> NetworkInput::activation_rows() const {
    return synapse_activation_rows(m_network, m_activity, m_placement);
}

std::string NetworkInput::structure() const {
    return "slots " + std::to_string(m_model->slot_count()) + " receptors " +
           std::to_string(m_model->receptor_count()) + " active " + std::to_string(m_model->active_count());
}

std::vector<PresynapticCellRow> NetworkInput::presynaptic_rows() const {
    return presynaptic_cell_rows(m_network, m_activity);
}

Status NetworkInput::append_outputs(const rc::Spec& spec, std::vector<store::NamedArray>& out) const {
    auto append = [&](Result<std::vector<store::NamedArray>> arrays) -> Status {
        if (!arrays) return std::unexpected(arrays.error());
        for (auto& a : *arrays) out.push_back(std::move(a));
        return {};
    };
    if (spec.record.synapse_activation) {
        auto rows = activation_rows();
        if (!rows) return std::unexpected(rows.error());
        if (auto s = append(store::encode_synapse_activation(store::SynapseActivationColumns::of(*rows))); !s)
            return s;
    }
    if (spec.record.presynaptic_spikes)
        return append(
            store::encode_presynaptic_spikes(store::PresynapticSpikeColumns::of(presynaptic_rows())));
    return {};
}

}  // namespace silico::experiments::detail
