#include "silico/analysis/isf_import.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "silico/model/simrun_files.hpp"
#include "silico/model/spike_detection.hpp"
#include "silico/recipes/trial_key.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"
#include "silico/store/trial_outputs.hpp"

namespace silico::analysis {

namespace fs = std::filesystem;

namespace {

Result<std::string> read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Errc::not_found, "cannot open the file", file.string());
    std::ostringstream s;
    s << in.rdbuf();
    if (in.bad()) return fail(Errc::io, "cannot read the file", file.string());
    return s.str();
}

std::string at_line(std::string_view source, std::size_t line) {
    return std::string(source) + ":" + std::to_string(line);
}

// Trial number and folder of an ISF index "<folder>/<trial>".
std::pair<std::string, std::optional<std::int64_t>> split_index(std::string_view index) {
    const auto slash = index.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? index : index.substr(slash + 1);
    const std::string folder = slash == std::string_view::npos ? "" : std::string(index.substr(0, slash));
    std::int64_t n = 0;
    const auto r = std::from_chars(last.data(), last.data() + last.size(), n);
    if (last.empty() || r.ec != std::errc{} || r.ptr != last.data() + last.size())
        return {folder, std::nullopt};
    return {folder, n};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_commas(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (true) {
        const auto comma = line.find(',', at);
        out.push_back(line.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
        if (comma == std::string_view::npos) break;
        at = comma + 1;
    }
    return out;
}

Status store_conflict_check(const store::Store& store, std::string_view name, const Dataset& dataset,
                            bool& exists) {
    auto item = dataset_item_name(name);
    if (!item) return std::unexpected(item.error());
    auto meta = store.item_meta(*item);
    exists = false;
    if (meta) {
        if (meta->blob.digest != sha256(dataset.encode()))
            return fail(Errc::validation,
                        "is already in the store with other content; choose another name or remove it with "
                        "`silico store rm " +
                            *item + "`",
                        "dataset " + std::string(name));
        exists = true;
        return {};
    }
    if (meta.error().code != Errc::not_found) return std::unexpected(meta.error());
    return {};
}

}  // namespace

Result<Dataset> parse_isf_spike_times(std::string_view text, std::string_view source) {
    std::size_t line_no = 0, at = 0, columns = 0;
    bool header = false;
    std::vector<Dataset::Builder::Row> rows;
    while (at < text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = trim(text.substr(at, end - at));
        at = end + 1;
        ++line_no;
        if (line.empty()) continue;
        auto fields = split_commas(line);
        if (!header) {
            header = true;
            columns = fields.size();
            if (columns < 1 || trim(fields[0]).empty())
                return fail(Errc::parse, "expected a header line: the index column's name, then 0, 1, ...",
                            at_line(source, line_no));
            for (std::size_t i = 1; i < columns; ++i) {
                if (trim(fields[i]) != std::to_string(i - 1))
                    return fail(Errc::parse,
                                "header column " + std::to_string(i + 1) + " is '" + std::string(fields[i]) +
                                    "', expected '" + std::to_string(i - 1) + "'",
                                at_line(source, line_no));
            }
            continue;
        }
        if (fields.size() != columns)
            return fail(Errc::parse,
                        "expected " + std::to_string(columns) + " fields like the header, found " +
                            std::to_string(fields.size()),
                        at_line(source, line_no));
        Dataset::Builder::Row row;
        row.index = std::string(trim(fields[0]));
        if (row.index.empty()) return fail(Errc::parse, "empty trial index", at_line(source, line_no));
        for (std::size_t i = 1; i < columns; ++i) {
            const auto f = trim(fields[i]);
            if (f.empty() || f == "nan" || f == "NaN") continue;  // pandas writes missing values as empty
            double v = 0;
            const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
            if (r.ec != std::errc{} || r.ptr != f.data() + f.size() || !std::isfinite(v))
                return fail(
                    Errc::parse,
                    "field " + std::to_string(i + 1) + " '" + std::string(f) + "' is not a spike time",
                    at_line(source, line_no));
            row.spikes.push_back(v);
        }
        if (!std::ranges::is_sorted(row.spikes))
            return fail(Errc::parse, "spike times are not in ascending order", at_line(source, line_no));
        auto [folder, number] = split_index(row.index);
        row.trial = number.value_or(static_cast<std::int64_t>(rows.size()));
        row.texts = {std::move(folder)};
        rows.push_back(std::move(row));
    }
    if (!header) return fail(Errc::parse, "empty file: no header line", std::string(source));
    if (rows.empty()) return fail(Errc::parse, "the table has a header but no trial", std::string(source));
    Dataset::Builder builder({"isf-spike-times", fs::path(source).filename().string(), sha256(text).hex()},
                             {"path"});
    for (auto& r : rows)
        if (auto st = builder.add(std::move(r)); !st) return std::unexpected(st.error().within(source));
    auto d = std::move(builder).finish();
    if (!d) return std::unexpected(Error{Errc::parse, d.error().message, std::string(source)});
    return d;
}

Result<Dataset> read_isf_spike_times(const fs::path& file) {
    auto text = read_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_isf_spike_times(*text, file.string());
}

Result<ImportReport> import_isf_spike_times(store::Store& store, const fs::path& file,
                                            std::string_view name) {
    auto dataset = read_isf_spike_times(file);
    if (!dataset) return std::unexpected(dataset.error());
    ImportReport report;
    report.name = std::string(name);
    report.trials = dataset->size();
    if (auto st = store_conflict_check(store, name, *dataset, report.dataset_existed); !st)
        return std::unexpected(st.error());
    if (report.dataset_existed) return report;
    if (auto st = write_dataset(store, name, *dataset); !st) return std::unexpected(st.error());
    return report;
}

// ----- simrun folders

namespace {

struct SimrunTrial {
    std::int64_t number = 0;
    std::string index;
    Digest key;
    std::vector<store::NamedBlob> outputs;
    std::vector<double> spikes;
};

struct SimrunFolder {
    fs::path dir;
    std::string relative;
    std::vector<SimrunTrial> trials;
};

Result<std::vector<fs::path>> find_simrun_folders(const fs::path& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return fail(Errc::not_found, "not a folder", root.string());
    std::vector<fs::path> out;
    auto consider = [&](const fs::path& dir) {
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.is_regular_file() && e.path().filename().string().ends_with("_vm_all_traces.csv")) {
                out.push_back(dir);
                return;
            }
    };
    consider(root);
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_directory()) continue;
        if (it->path().string().find("_running") != std::string::npos) {
            it.disable_recursion_pending();
            continue;
        }
        consider(it->path());
    }
    if (ec) return fail(Errc::io, ec.message(), root.string());
    std::ranges::sort(out);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.empty())
        return fail(Errc::not_found, "no simrun folder (one holding *_vm_all_traces.csv) below this folder",
                    root.string());
    return out;
}

Result<store::NamedBlob> array_output(std::string name, Result<std::string> bytes) {
    if (!bytes) return std::unexpected(bytes.error().within(name));
    return store::NamedBlob{std::move(name), std::move(*bytes)};
}

// The files of one simrun folder, by role (sorted by name, so a folder reads the same on every file system).
struct SimrunFiles {
    std::map<std::int64_t, fs::path> synapses, cells;  // by trial number
    fs::path soma, neuron_param, network_param;
    std::vector<std::pair<std::string, fs::path>> dendrites;  // file name, path
};

Result<SimrunFiles> classify_simrun_files(const fs::path& dir, const std::string& where) {
    static const std::regex synapses_re(R"(simulation_run(\d+)_synapses\.csv)");
    static const std::regex cells_re(R"(simulation_run(\d+)_presynaptic_cells\.csv)");
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file()) entries.push_back(e.path());
    std::ranges::sort(entries);
    SimrunFiles files;
    for (const auto& p : entries) {
        const std::string f = p.filename().string();
        std::smatch m;
        if (std::regex_match(f, m, synapses_re)) {
            files.synapses[std::stoll(m[1].str())] = p;
        } else if (std::regex_match(f, m, cells_re)) {
            files.cells[std::stoll(m[1].str())] = p;
        } else if (f.ends_with("_vm_all_traces.csv")) {
            if (!files.soma.empty())
                return fail(Errc::parse,
                            "two soma trace files: " + files.soma.filename().string() + " and " + f, where);
            files.soma = p;
        } else if (f.ends_with("_vm_dend_traces.csv")) {
            files.dendrites.emplace_back(f, p);
        } else if (f.ends_with("_neuron_model.param") || f.ends_with("_neuron_model.param.TEMPLATE")) {
            files.neuron_param = p;
        } else if (f.ends_with("_network_model.param") || f.ends_with("_network_model.param.TEMPLATE")) {
            files.network_param = p;
        }
    }
    return files;
}

// ISF numbers a folder's trials by their synapse files; a presynaptic-cells file, where the folder has any,
// must exist for every one of them, and none without its synapse file.
Status check_trial_files(const SimrunFiles& files, const std::string& where) {
    using namespace silico::experiments;
    if (files.synapses.empty())
        return fail(Errc::parse, "no simulation_run*_synapses.csv: ISF numbers the trials by these files",
                    where);
    if (!files.cells.empty())
        for (const auto& [n, f] : files.synapses)
            if (!files.cells.contains(n))
                return fail(Errc::parse,
                            "missing " + presynaptic_cells_file_name(n) + " (other trials have one)", where);
    for (const auto& [n, f] : files.cells)
        if (!files.synapses.contains(n))
            return fail(Errc::parse, f.filename().string() + " has no " + synapse_activation_file_name(n),
                        where);
    return {};
}

// A dendritic recording site of the folder: its traces, one column per trial, and the digest of its file.
struct SimrunSite {
    std::string name;
    experiments::VmTraces traces;
    Digest digest;
};

// The sites' files must hold a column per soma trace, sampled at the soma's times.
Result<std::vector<SimrunSite>> read_sites(const SimrunFiles& files, const experiments::VmTraces& soma,
                                           const std::string& prefix, const std::string& where) {
    const std::string soma_name = files.soma.filename().string();
    std::vector<SimrunSite> sites;
    for (const auto& [f, p] : files.dendrites) {
        std::string label = f.substr(0, f.size() - std::string_view("_vm_dend_traces.csv").size());
        if (label.starts_with(prefix)) label = label.substr(prefix.size());
        auto traces = experiments::read_vm_traces_file(p);
        if (!traces) return std::unexpected(traces.error());
        if (traces->runs.size() != soma.runs.size())
            return fail(Errc::parse,
                        f + " has " + std::to_string(traces->runs.size()) + " trace columns, " + soma_name +
                            " has " + std::to_string(soma.runs.size()),
                        where);
        if (traces->t != soma.t)
            return fail(Errc::parse, f + " is sampled at other times than " + soma_name, where);
        auto text = read_file(p);
        if (!text) return std::unexpected(text.error());
        sites.push_back({label, std::move(*traces), sha256(*text)});
    }
    return sites;
}

// The bytes of a file the folder may lack (the parameter copies): nullopt when `file` is empty.
Result<std::optional<std::string>> read_optional_file(const fs::path& file) {
    if (file.empty()) return std::optional<std::string>{};
    auto bytes = read_file(file);
    if (!bytes) return std::unexpected(bytes.error());
    return std::optional<std::string>{std::move(*bytes)};
}

// What every trial of a folder shares: the soma traces (a column per trial), the sites, the time axis and the
// parameter copies, each with the digest that goes into the trial keys.
struct SimrunShared {
    std::string soma_name;
    experiments::VmTraces soma;
    Digest soma_digest;
    std::vector<SimrunSite> sites;
    std::string time;  // the encoded time axis
    std::optional<std::string> neuron_param, network_param;
};

Result<SimrunShared> read_shared(const SimrunFiles& files, const std::string& where) {
    SimrunShared shared;
    shared.soma_name = files.soma.filename().string();
    const std::string prefix =
        shared.soma_name.substr(0, shared.soma_name.size() - std::string_view("vm_all_traces.csv").size());
    auto soma = experiments::read_vm_traces_file(files.soma);
    if (!soma) return std::unexpected(soma.error());
    if (soma->runs.size() != files.synapses.size())
        return fail(Errc::parse,
                    std::to_string(files.synapses.size()) + " synapse activation files but " +
                        shared.soma_name + " has " + std::to_string(soma->runs.size()) + " trace columns",
                    where);
    shared.soma = std::move(*soma);
    auto sites = read_sites(files, shared.soma, prefix, where);
    if (!sites) return std::unexpected(sites.error());
    shared.sites = std::move(*sites);
    auto soma_text = read_file(files.soma);
    if (!soma_text) return std::unexpected(soma_text.error());
    shared.soma_digest = sha256(*soma_text);
    auto neuron = read_optional_file(files.neuron_param);
    if (!neuron) return std::unexpected(neuron.error());
    shared.neuron_param = std::move(*neuron);
    auto network = read_optional_file(files.network_param);
    if (!network) return std::unexpected(network.error());
    shared.network_param = std::move(*network);
    auto time = store::encode_f64_table({shared.soma.t});
    if (!time) return std::unexpected(time.error().within(shared.soma_name));
    shared.time = std::move(*time);
    return shared;
}

// The presynaptic cells of a trial, encoded into `out` and hashed into its key.
Status add_presynaptic_cells(const fs::path& file, recipes::KeyBuilder& key,
                             std::vector<store::NamedBlob>& out) {
    auto cells_text = read_file(file);
    if (!cells_text) return std::unexpected(cells_text.error());
    auto cells = experiments::parse_presynaptic_cells(*cells_text, file.string());
    if (!cells) return std::unexpected(cells.error());
    key.add("cells", sha256(*cells_text));
    auto presynaptic = store::encode_presynaptic_spikes(store::PresynapticSpikeColumns::of(*cells));
    if (!presynaptic) return std::unexpected(presynaptic.error().within(file.string()));
    out.insert(out.end(), std::make_move_iterator(presynaptic->begin()),
               std::make_move_iterator(presynaptic->end()));
    return {};
}

// Trial `number`, the folder's trace column `column`: its outputs, its spikes, and its key, a digest of
// every file byte it was read from.
Result<SimrunTrial> read_simrun_trial(const SimrunFiles& files, const SimrunShared& shared,
                                      const std::string& relative, std::int64_t number, std::size_t column,
                                      double threshold) {
    SimrunTrial trial;
    trial.number = number;
    char padded[32];
    std::snprintf(padded, sizeof padded, "%06lld", static_cast<long long>(number));
    trial.index = relative + "/" + padded;
    recipes::KeyBuilder key(k_isf_import_key_format);
    key.add("index", trial.index);

    const fs::path& syn_file = files.synapses.at(number);
    auto syn_text = read_file(syn_file);
    if (!syn_text) return std::unexpected(syn_text.error());
    auto synapses = experiments::parse_synapse_activation(*syn_text, syn_file.string());
    if (!synapses) return std::unexpected(synapses.error());
    key.add("synapses", sha256(*syn_text));
    key.add("soma", shared.soma_digest).add("column", static_cast<std::uint64_t>(column));
    for (const auto& s : shared.sites) key.add("site:" + s.name, s.digest);

    auto& out = trial.outputs;
    out.push_back({"time", shared.time});
    auto v = array_output("soma.v", store::encode_f64_table({shared.soma.runs[column]}));
    if (!v) return std::unexpected(v.error().within(shared.soma_name));
    out.push_back(std::move(*v));
    for (const auto& s : shared.sites) {
        auto sv = array_output(s.name + ".v", store::encode_f64_table({s.traces.runs[column]}));
        if (!sv) return std::unexpected(sv.error());
        out.push_back(std::move(*sv));
    }
    trial.spikes = experiments::detect_spikes(shared.soma.t, shared.soma.runs[column], threshold);
    auto spikes = array_output("spikes", store::encode_spike_lists({trial.spikes}));
    if (!spikes) return std::unexpected(spikes.error());
    out.push_back(std::move(*spikes));

    auto activation = store::encode_synapse_activation(store::SynapseActivationColumns::of(*synapses));
    if (!activation) return std::unexpected(activation.error().within(syn_file.string()));
    out.insert(out.end(), std::make_move_iterator(activation->begin()),
               std::make_move_iterator(activation->end()));
    if (auto c = files.cells.find(number); c != files.cells.end())
        if (auto st = add_presynaptic_cells(c->second, key, out); !st) return std::unexpected(st.error());
    if (shared.neuron_param) {
        out.push_back({"parameters.neuron", *shared.neuron_param});
        key.add("parameters.neuron", sha256(*shared.neuron_param));
    }
    if (shared.network_param) {
        out.push_back({"parameters.network", *shared.network_param});
        key.add("parameters.network", sha256(*shared.network_param));
    }
    trial.key = key.finish();
    return trial;
}

Result<SimrunFolder> read_simrun_folder(const fs::path& dir, const std::string& relative, double threshold) {
    const std::string where = "simrun folder " + dir.string();
    auto files = classify_simrun_files(dir, where);
    if (!files) return std::unexpected(files.error());
    if (auto st = check_trial_files(*files, where); !st) return std::unexpected(st.error());
    auto shared = read_shared(*files, where);
    if (!shared) return std::unexpected(shared.error());
    SimrunFolder folder;
    folder.dir = dir;
    folder.relative = relative;
    std::size_t column = 0;
    for (const auto& trial_files : files->synapses) {
        auto trial = read_simrun_trial(*files, *shared, relative, trial_files.first, column++, threshold);
        if (!trial) return std::unexpected(trial.error());
        folder.trials.push_back(std::move(*trial));
    }
    return folder;
}

}  // namespace

Result<ImportReport> import_isf_simrun(store::Store& store, const fs::path& dir, std::string_view name,
                                       const SimrunImportOptions& options) {
    if (auto item = dataset_item_name(name); !item) return std::unexpected(item.error());
    auto folders = find_simrun_folders(dir);
    if (!folders) return std::unexpected(folders.error());
    std::vector<SimrunFolder> read;
    const fs::path root = fs::weakly_canonical(dir);
    for (const auto& f : *folders) {
        std::string relative = fs::weakly_canonical(f).lexically_relative(root).generic_string();
        if (relative.empty() || relative == ".") relative = root.filename().string();
        auto folder = read_simrun_folder(f, relative, options.spike_threshold_mv);
        if (!folder) return std::unexpected(folder.error());
        read.push_back(std::move(*folder));
    }
    recipes::KeyBuilder digest("silico.isf-simrun-dataset.v1");
    for (const auto& f : read)
        for (const auto& t : f.trials) digest.add("trial", t.key);
    Provenance provenance{"isf-simrun", root.filename().string(), digest.finish().hex()};
    Dataset::Builder rows(provenance, {"path"});
    for (const auto& f : read)
        for (const auto& t : f.trials) {
            Dataset::Builder::Row row;
            row.index = t.index;
            row.trial = t.number;
            row.key = t.key;
            row.texts = {f.relative};
            row.spikes = t.spikes;
            if (auto st = rows.add(std::move(row)); !st) return std::unexpected(st.error());
        }
    auto dataset = std::move(rows).finish();
    if (!dataset) return std::unexpected(dataset.error().within(dir.string()));

    ImportReport report;
    report.name = std::string(name);
    report.folders = read.size();
    report.trials = dataset->size();
    bool exists = false;
    if (auto st = store_conflict_check(store, name, *dataset, exists); !st)
        return std::unexpected(st.error());
    for (auto& f : read)
        for (auto& t : f.trials) {
            auto had = store.contains(t.key);
            if (!had) return std::unexpected(had.error());
            if (*had) continue;
            store::TrialRecord record;
            store::fill_provenance(record);
            auto committed = store.commit_trial(t.key, record, t.outputs);
            if (!committed) return std::unexpected(committed.error().within(t.index));
            ++report.new_trials;
        }
    report.dataset_existed = exists;
    if (!exists)
        if (auto st = write_dataset(store, name, *dataset); !st) return std::unexpected(st.error());
    return report;
}

}  // namespace silico::analysis
