#include "silico/model/prepared_network.hpp"

namespace silico::experiments {

Result<PreparedNetwork> prepare_network(NetworkParameters parameters,
                                        const std::map<std::string, ConnectionMap>& con_files) {
    PreparedNetwork out;
    for (const auto& pop : parameters.populations) {
        auto f = con_files.find(pop.synapses.connection_file);
        if (f == con_files.end())
            return fail(Errc::not_found, "connection file not loaded", pop.synapses.connection_file);
        auto t = f->second.find(pop.name);
        std::uint32_t per_syn = 0;
        for (const auto& r : pop.synapses.receptors) per_syn += static_cast<std::uint32_t>(r.weight.size());
        out.weights_per_synapse.push_back(per_syn);
        if (t < 0) {
            out.connections.emplace_back();
            out.in_con.push_back(false);
            continue;
        }
        const auto& cons = f->second.types[static_cast<std::size_t>(t)].connections;
        for (const auto& c : cons)
            if (static_cast<std::int64_t>(c.cell_id) >= pop.cell_count)
                return fail(Errc::validation,
                            "population " + pop.name + " has cellNr " + std::to_string(pop.cell_count) +
                                " but its .con names presynaptic cell " + std::to_string(c.cell_id),
                            pop.synapses.connection_file);
        out.connections.push_back(cons);
        out.in_con.push_back(true);
    }
    out.parameters = std::move(parameters);
    return out;
}

Result<PreparedNetwork> prepare_network(NetworkParameters parameters) {
    std::map<std::string, ConnectionMap> files;
    for (const auto& pop : parameters.populations) {
        const auto& name = pop.synapses.connection_file;
        if (files.count(name)) continue;
        auto con = read_con_file(name);
        if (!con) return std::unexpected(con.error());
        files.emplace(name, std::move(*con));
    }
    return prepare_network(std::move(parameters), files);
}

}  // namespace silico::experiments
