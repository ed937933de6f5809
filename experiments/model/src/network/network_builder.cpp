#include "silico/model/network_builder.hpp"

#include <algorithm>
#include <map>

namespace silico::experiments {

namespace {

using Json = nlohmann::ordered_json;

struct Surround {
    const char* whisker;
    std::vector<std::pair<std::string, int>> columns;
};

// Barrel-field neighbourhoods as ISF defines them (rows A-E, arcs 1-4, straddlers Alpha-Delta at arc 0;
// ISF's table omits a few straddler/arc-1 diagonals, reproduced here as published).
const std::vector<Surround>& surround_table() {
    static const std::vector<Surround> table = {
        {"A1", {{"Alpha", 4}, {"A1", 5}, {"A2", 6}, {"B1", 8}, {"B2", 9}}},
        {"A2", {{"A1", 4}, {"A2", 5}, {"A3", 6}, {"B1", 7}, {"B2", 8}, {"B3", 9}}},
        {"A3", {{"A2", 4}, {"A3", 5}, {"A4", 6}, {"B2", 7}, {"B3", 8}, {"B4", 9}}},
        {"A4", {{"A3", 4}, {"A4", 5}, {"B3", 7}, {"B4", 8}}},
        {"Alpha", {{"Alpha", 5}, {"A1", 6}, {"Beta", 8}, {"B1", 9}}},
        {"B1", {{"Alpha", 1}, {"A1", 2}, {"A2", 3}, {"Beta", 4}, {"B1", 5}, {"B2", 6}, {"C1", 8}, {"C2", 9}}},
        {"B2",
         {{"A1", 1}, {"A2", 2}, {"A3", 3}, {"B1", 4}, {"B2", 5}, {"B3", 6}, {"C1", 7}, {"C2", 8}, {"C3", 9}}},
        {"B3",
         {{"A2", 1}, {"A3", 2}, {"A4", 3}, {"B2", 4}, {"B3", 5}, {"B4", 6}, {"C2", 7}, {"C3", 8}, {"C4", 9}}},
        {"B4", {{"A3", 1}, {"A4", 2}, {"B3", 4}, {"B4", 5}, {"C3", 7}, {"C4", 8}}},
        {"Beta", {{"Alpha", 2}, {"Beta", 5}, {"B1", 6}, {"Gamma", 8}, {"C1", 9}}},
        {"C1", {{"Beta", 1}, {"B1", 2}, {"B2", 3}, {"Gamma", 4}, {"C1", 5}, {"C2", 6}, {"D1", 8}, {"D2", 9}}},
        {"C2",
         {{"B1", 1}, {"B2", 2}, {"B3", 3}, {"C1", 4}, {"C2", 5}, {"C3", 6}, {"D1", 7}, {"D2", 8}, {"D3", 9}}},
        {"C3",
         {{"B2", 1}, {"B3", 2}, {"B4", 3}, {"C2", 4}, {"C3", 5}, {"C4", 6}, {"D2", 7}, {"D3", 8}, {"D4", 9}}},
        {"C4", {{"B3", 1}, {"B4", 2}, {"C3", 4}, {"C4", 5}, {"D3", 7}, {"D4", 8}}},
        {"Gamma", {{"Beta", 2}, {"Gamma", 5}, {"C1", 6}, {"Delta", 8}, {"D1", 9}}},
        {"D1",
         {{"Gamma", 1}, {"C1", 2}, {"C2", 3}, {"Delta", 4}, {"D1", 5}, {"D2", 6}, {"E1", 8}, {"E2", 9}}},
        {"D2",
         {{"C1", 1}, {"C2", 2}, {"C3", 3}, {"D1", 4}, {"D2", 5}, {"D3", 6}, {"E1", 7}, {"E2", 8}, {"E3", 9}}},
        {"D3",
         {{"C2", 1}, {"C3", 2}, {"C4", 3}, {"D2", 4}, {"D3", 5}, {"D4", 6}, {"E2", 7}, {"E3", 8}, {"E4", 9}}},
        {"D4", {{"C3", 1}, {"C4", 2}, {"D3", 4}, {"D4", 5}, {"E3", 7}, {"E4", 8}}},
        {"Delta", {{"Gamma", 2}, {"Delta", 5}, {"D1", 6}, {"E1", 9}}},
        {"E1", {{"Delta", 1}, {"D1", 2}, {"D2", 3}, {"E1", 5}, {"E2", 6}}},
        {"E2", {{"D1", 1}, {"D2", 2}, {"D3", 3}, {"E1", 4}, {"E2", 5}, {"E3", 6}}},
        {"E3", {{"D2", 1}, {"D3", 2}, {"D4", 3}, {"E2", 4}, {"E3", 5}, {"E4", 6}}},
        {"E4", {{"D3", 1}, {"D4", 2}, {"E3", 4}, {"E4", 5}}},
    };
    return table;
}

}  // namespace

const std::vector<std::string>& known_whiskers() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& s : surround_table()) v.emplace_back(s.whisker);
        return v;
    }();
    return names;
}

Result<std::vector<std::pair<std::string, int>>> surround_columns(std::string_view whisker) {
    for (const auto& s : surround_table())
        if (whisker == s.whisker) return s.columns;
    return fail(Errc::invalid_argument, "unknown whisker '" + std::string(whisker) + "'");
}

std::string_view c2_equivalent_column(int position) {
    static constexpr std::string_view lookup[] = {"", "D3", "D2", "D1", "C3", "C2", "C1", "B3", "B2", "B1"};
    if (position < 1 || position > 9) return {};
    return lookup[position];
}

Result<nlohmann::ordered_json> build_network_parameters(const NetworkBuildInputs& in) {
    auto surround = surround_columns(in.whisker);
    if (!surround) return std::unexpected(surround.error());
    std::map<std::string, int> position;
    for (const auto& [col, pos] : *surround) position[col] = pos;

    std::map<std::string, const Json*> psth;
    std::map<std::string, bool> evoked_type;
    for (const auto& file : in.evoked) {
        if (!file.is_object()) return fail(Errc::validation, "an evoked PSTH file is not a dictionary");
        for (auto it = file.begin(); it != file.end(); ++it) {
            psth[it.key()] = &it.value();
            auto cut = it.key().rfind('_');
            if (cut != std::string::npos) evoked_type[it.key().substr(0, cut)] = true;
        }
    }

    auto tmpl_net = in.ongoing_template.find("network");
    if (tmpl_net == in.ongoing_template.end() || !tmpl_net->is_object())
        return fail(Errc::validation, "ongoing template has no 'network' dictionary");

    std::vector<std::string> columns;
    std::map<std::pair<std::string, std::string>, std::int64_t> counts;
    for (const auto& row : in.cell_counts) {
        if (std::find(columns.begin(), columns.end(), row.column) == columns.end())
            columns.push_back(row.column);
        counts[{row.column, row.cell_type}] = row.cells;
    }

    Json network = Json::object();
    for (auto t = tmpl_net->begin(); t != tmpl_net->end(); ++t) {
        const std::string& type = t.key();
        for (const auto& col : columns) {
            auto c = counts.find({col, type});
            if (c == counts.end() || c->second == 0) continue;
            Json entry = t.value();
            entry["cellNr"] = c->second;
            entry["synapses"]["distributionFile"] = in.syn_file;
            entry["synapses"]["connectionFile"] = in.con_file;
            auto pos = position.find(col);
            if (pos != position.end() && evoked_type.count(type)) {
                std::string key = type + "_" + std::string(c2_equivalent_column(pos->second));
                auto p = psth.find(key);
                if (p == psth.end())
                    return fail(Errc::validation, "no evoked PSTH '" + key + "' for surround column " + col +
                                                      " of whisker " + in.whisker);
                if (!entry.contains("interval"))
                    return fail(Errc::validation, "template cell type '" + type + "' has no 'interval'");
                Json pointcell = *p->second;
                pointcell["offset"] = in.deflection_offset;
                Json celltype = Json::object();
                celltype["spiketrain"] = Json::object({{"interval", entry["interval"]}});
                celltype["pointcell"] = pointcell;
                entry.erase("interval");
                entry["celltype"] = celltype;
            }
            network[type + "_" + col] = entry;
        }
    }
    Json out = Json::object();
    if (auto it = in.ongoing_template.find("info"); it != in.ongoing_template.end()) out["info"] = *it;
    out["network"] = network;
    if (!in.nmodl_mechanisms.is_null())
        out["NMODL_mechanisms"] = in.nmodl_mechanisms;
    else if (auto it = in.ongoing_template.find("NMODL_mechanisms"); it != in.ongoing_template.end())
        out["NMODL_mechanisms"] = *it;
    return out;
}

}  // namespace silico::experiments
