// `silico store ...`: inspect and maintain the store, and the dictionary-like API for named items.
//
// Commands that only read open the store read-only, so they work while a run writes to it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "commands/cli.hpp"
#include "commands/sharing_support.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

namespace {

using nlohmann::json;
using store::Store;

Result<Store> open_store(const CliContext& ctx, bool write) {
    return Store::open(ctx.store_dir(), {.read_only = !write, .create_if_missing = write});
}

std::string human_bytes(std::uint64_t n) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

json blob_json(const store::BlobRef& ref) {
    return {{"digest", ref.digest.hex()}, {"size", ref.size}, {"stored_size", ref.stored_size}};
}

json meta_json(const store::ItemMeta& m) {
    return {{"name", m.name},
            {"blob", blob_json(m.blob)},
            {"encoding", m.encoding},
            {"time_unix_ms", m.time_unix_ms},
            {"silico_version", m.silico_version},
            {"silico_commit", m.silico_commit},
            {"silico_dirty", m.silico_dirty}};
}

void info_command(CliContext& ctx, bool as_json) {
    auto store = open_store(ctx, false);
    if (!store) return ctx.report(store.error());
    auto info = store->info();
    if (!info) return ctx.report(info.error());
    // The real compression ratio: what the arrays hold (8 bytes per value) against the bytes stored; the blob
    // frames alone would show ~1x, since arrays are compressed before they become blobs.
    const double ratio = info->blob_stored_bytes ? static_cast<double>(info->raw_bytes) /
                                                       static_cast<double>(info->blob_stored_bytes)
                                                 : 0;
    if (as_json) {
        std::cout << json{{"dir", info->dir.string()},
                          {"format_version", info->format_version},
                          {"trials", info->trials},
                          {"failures", info->failures},
                          {"seeds", info->seeds},
                          {"items", info->items},
                          {"runs", info->runs},
                          {"blobs", info->blobs},
                          {"blob_bytes", info->blob_bytes},
                          {"blob_stored_bytes", info->blob_stored_bytes},
                          {"raw_bytes", info->raw_bytes},
                          {"compression_ratio", ratio},
                          {"disk_bytes", info->disk_bytes}}
                         .dump(2)
                  << "\n";
        return;
    }
    std::cout << "store      " << info->dir.string() << " (format " << info->format_version << ")\n"
              << "trials     " << info->trials << " complete, " << info->failures << " failed attempts\n"
              << "seeds      " << info->seeds << "\n"
              << "items      " << info->items << "\n"
              << "runs       " << info->runs << "\n"
              << "blobs      " << info->blobs << ": " << human_bytes(info->raw_bytes) << " of data stored as "
              << human_bytes(info->blob_stored_bytes);
    if (ratio > 0) std::cout << " (" << std::fixed << std::setprecision(2) << ratio << "x)";
    std::cout << "\n"
              << "disk       " << human_bytes(info->disk_bytes) << "\n";
}

// The recipe file a run record names for a recipe digest ("recipe/<hex>"), or the digest when none does.
std::string recipe_name(const Store& store, const std::optional<Digest>& recipe) {
    if (!recipe) return "unknown";
    auto record = store.get_run("recipe/" + recipe->hex());
    if (record && *record) {
        const json r = json::parse(**record, nullptr, false);
        if (r.is_object() && r.contains("recipe"))
            return r.value("recipe", "") + " (" + recipe->short_hex() + ")";
    }
    return recipe->hex();
}

json affected_json(const Store& store, const store::VerifyReport::Affected& a) {
    json j = {{"kind", a.kind}, {"name", a.name}, {"items", a.items}};
    if (a.condition) j["condition"] = a.condition->hex();
    if (a.sweep) j["trial"] = *a.sweep;
    if (a.recipe) j["recipe_digest"] = a.recipe->hex();
    j["recipe"] = recipe_name(store, a.recipe);
    return j;
}

json verify_json(const Store& store, const store::VerifyReport& report) {
    json corrupt = json::array(), missing = json::array(), damaged = json::array(), affected = json::array();
    for (const auto& p : report.corrupt)
        corrupt.push_back({{"digest", p.digest.hex()}, {"message", p.message}});
    for (const auto& p : report.missing)
        missing.push_back({{"digest", p.digest.hex()}, {"message", p.message}});
    for (const auto& d : report.damaged)
        damaged.push_back({{"column_family", d.column_family},
                           {"after", d.after},
                           {"resume", d.resume},
                           {"message", d.message}});
    for (const auto& a : report.affected) affected.push_back(affected_json(store, a));
    return {{"blobs_checked", report.blobs_checked},
            {"references_checked", report.references_checked},
            {"corrupt", corrupt},
            {"missing", missing},
            {"damaged", damaged},
            {"affected", affected},
            {"ok", report.ok()}};
}

void print_verify_text(const Store& store, const store::VerifyReport& report) {
    for (const auto& p : report.corrupt)
        std::cout << "corrupt " << p.digest.hex() << ": " << p.message << "\n";
    for (const auto& p : report.missing)
        std::cout << "missing " << p.digest.hex() << ": " << p.message << "\n";
    for (const auto& d : report.damaged)
        std::cout << "damaged " << d.column_family << " after key " << (d.after.empty() ? "(start)" : d.after)
                  << " up to " << (d.resume.empty() ? "(end)" : d.resume) << ": " << d.message << "\n";
    for (const auto& a : report.affected) {
        std::cout << "affected " << a.kind << " " << a.name << " (recipe " << recipe_name(store, a.recipe)
                  << ", condition " << (a.condition ? a.condition->hex() : std::string("unknown"));
        if (a.sweep) std::cout << ", trial " << *a.sweep;
        std::cout << ")\n";
        for (const auto& item : a.items) std::cout << "  " << item << "\n";
    }
    std::cout << report.blobs_checked << " blobs re-hashed, " << report.references_checked
              << " references checked: " << report.corrupt.size() << " corrupt, " << report.missing.size()
              << " missing, " << report.damaged.size() << " damaged ranges, " << report.affected.size()
              << " affected trials or items\n";
}

void verify_command(CliContext& ctx, bool as_json) {
    auto store = open_store(ctx, false);
    if (!store) return ctx.report(store.error());
    auto report = store->verify();
    if (!report) return ctx.report(report.error());
    if (as_json)
        std::cout << verify_json(*store, *report).dump(2) << "\n";
    else
        print_verify_text(*store, *report);
    if (!report->ok()) ctx.exit_code = 1;
}

// `store repair [--remote URL]`: the store sets the affected records aside; with a lab cache, exactly those
// trials are then taken from it, verified (sharing_support.hpp restore_from_remote), and only the rest is
// left for the next run. A cache that fails leaves the local repair as it is, with a warning.
void repair_command(CliContext& ctx, const RemoteArgs& remote, bool as_json) {
    auto store = open_store(ctx, true);
    if (!store) return ctx.report(store.error());
    auto report = store->repair();
    if (!report) return ctx.report(report.error());
    const std::vector<Digest> restored = restore_from_remote(remote, *report, *store);
    json restored_json = json::array(), recompute = json::array();
    for (const auto& key : report->recompute) {
        const bool back = std::binary_search(restored.begin(), restored.end(), key);
        (back ? restored_json : recompute).push_back(key.hex());
    }
    if (as_json) {
        json out = {{"found", verify_json(*store, report->found)},
                    {"quarantined", report->quarantined},
                    {"recompute", recompute},
                    {"damaged_db", report->damaged_db.string()}};
        if (!remote.url.empty()) {
            out["remote"] = remote.url;
            out["restored"] = restored_json;
        }
        std::cout << out.dump(2) << "\n";
        return;
    }
    if (report->found.ok()) {
        std::cout << "store is clean: nothing to repair\n";
        return;
    }
    print_verify_text(*store, report->found);
    for (const auto& name : report->quarantined) std::cout << "set aside " << name << "\n";
    for (const auto& key : restored_json) std::cout << "restored trial " << key.get<std::string>() << "\n";
    std::cout << "repaired: " << report->quarantined.size() << " records set aside under quarantine/, ";
    if (!remote.url.empty())
        std::cout << restored_json.size() << " trials restored from " << remote.url << ", ";
    std::cout << recompute.size() << " trials to recompute"
              << (recompute.empty() ? "" : " (run their recipes again)") << "; damaged database kept in "
              << report->damaged_db.string() << "\n";
}

void gc_command(CliContext& ctx, bool yes, bool as_json) {
    auto store = open_store(ctx, yes);
    if (!store) return ctx.report(store.error());
    auto report = store->gc(!yes);
    if (!report) return ctx.report(report.error());
    if (as_json) {
        json digests = json::array();
        for (const auto& d : report->unreferenced) digests.push_back(d.hex());
        std::cout << json{{"unreferenced", digests},
                          {"stored_bytes", report->stored_bytes},
                          {"deleted", report->deleted}}
                         .dump(2)
                  << "\n";
        return;
    }
    for (const auto& d : report->unreferenced)
        std::cout << (report->deleted ? "deleted " : "would delete ") << d.hex() << "\n";
    std::cout << report->unreferenced.size() << " unreferenced blobs, " << human_bytes(report->stored_bytes)
              << (report->deleted ? " deleted\n" : " (dry run; pass --yes to delete)\n");
}

void export_command(CliContext& ctx, const std::vector<std::string>& trials,
                    const std::vector<std::string>& items, bool all, const std::string& file) {
    if (all == !(trials.empty() && items.empty())) {
        return ctx.report(Error{Errc::invalid_argument,
                                "give either --trials KEY... and/or --items NAME..., or --all",
                                "store export"});
    }
    store::BundleSelection selection;
    selection.all_trials = all;
    selection.all_items = all;
    selection.items = items;
    for (const auto& text : trials) {
        auto key = Digest::from_hex(text);
        if (!key) return ctx.report(key.error().within("--trials"));
        selection.trials.push_back(*key);
    }
    auto store = open_store(ctx, false);
    if (!store) return ctx.report(store.error());
    auto report = store->export_bundle(file, selection);
    if (!report) return ctx.report(report.error());
    std::cout << "exported " << report->trials << " trials, " << report->items << " named items and "
              << report->blobs << " blobs to " << file << "\n";
}

void import_command(CliContext& ctx, const std::string& file) {
    auto store = open_store(ctx, true);
    if (!store) return ctx.report(store.error());
    auto report = store->import_bundle(file);
    if (!report) return ctx.report(report.error());
    std::cout << "imported " << report->trials << " trials (" << report->new_trials << " new), "
              << report->items << " named items (" << report->new_items << " new) and " << report->blobs
              << " blobs from " << file << "\n";
}

void put_command(CliContext& ctx, const std::string& name, const std::string& file,
                 const std::string& encoding) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return ctx.report(Error{Errc::not_found, "cannot open file", file});
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    if (in.bad()) return ctx.report(Error{Errc::io, "read failed", file});
    auto store = open_store(ctx, true);
    if (!store) return ctx.report(store.error());
    auto meta = store->put_item(name, bytes, encoding);
    if (!meta) return ctx.report(meta.error());
    std::cout << name << " " << meta->blob.digest.hex() << " " << human_bytes(meta->blob.size) << "\n";
}

void get_command(CliContext& ctx, const std::string& name, const std::string& output) {
    auto store = open_store(ctx, false);
    if (!store) return ctx.report(store.error());
    auto bytes = store->get_item(name);
    if (!bytes) return ctx.report(bytes.error());
    if (output.empty() || output == "-") {
        std::cout.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
        return;
    }
    // Write beside the target and rename, so a failed get never leaves half a file.
    const std::string tmp = output + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
        if (!out) return ctx.report(Error{Errc::io, "cannot write", tmp});
    }
    std::error_code ec;
    std::filesystem::rename(tmp, output, ec);
    if (ec) return ctx.report(Error{Errc::io, "cannot rename into place: " + ec.message(), output});
}

void ls_command(CliContext& ctx, const std::string& prefix, bool as_json) {
    auto store = open_store(ctx, false);
    if (!store) return ctx.report(store.error());
    auto names = store->item_names(prefix);
    if (!names) return ctx.report(names.error());
    if (as_json) {
        json items = json::array();
        for (const auto& name : *names) {
            auto meta = store->item_meta(name);
            if (!meta) return ctx.report(meta.error());
            items.push_back(meta_json(*meta));
        }
        std::cout << items.dump(2) << "\n";
        return;
    }
    for (const auto& name : *names) std::cout << name << "\n";
}

void rm_command(CliContext& ctx, const std::string& name) {
    auto store = open_store(ctx, true);
    if (!store) return ctx.report(store.error());
    if (auto ok = store->delete_item(name); !ok) return ctx.report(ok.error());
}

void meta_command(CliContext& ctx, const std::string& name, bool as_json) {
    auto store = open_store(ctx, false);
    if (!store) return ctx.report(store.error());
    auto meta = store->item_meta(name);
    if (!meta) return ctx.report(meta.error());
    if (as_json) {
        std::cout << meta_json(*meta).dump(2) << "\n";
        return;
    }
    std::cout << "name            " << meta->name << "\n"
              << "digest          " << meta->blob.digest.hex() << "\n"
              << "size            " << meta->blob.size << " bytes (" << meta->blob.stored_size << " stored)\n"
              << "encoding        " << meta->encoding << "\n"
              << "time_unix_ms    " << meta->time_unix_ms << "\n"
              << "silico_version  " << meta->silico_version << "\n"
              << "silico_commit   " << meta->silico_commit << (meta->silico_dirty ? " (dirty)" : "") << "\n";
}

}  // namespace

void add_store_commands(CLI::App& app, CliContext& ctx) {
    auto* group =
        app.add_subcommand("store", "Inspect and maintain the store; named items (put/get/ls/rm/meta)");
    group->require_subcommand(1);
    group->fallthrough();

    // Option values outlive parsing: CLI11 binds them by reference and the callbacks run after parsing.
    struct Args {
        bool json = false, yes = false, dry_run = false, all = false;
        std::vector<std::string> trials, items;
        std::string file, name, output, prefix, encoding = "file";
        RemoteArgs remote;
    };
    auto args = std::make_shared<Args>();

    auto* info = group->add_subcommand("info", "Counts, sizes and compression of the store");
    info->add_flag("--json", args->json, "JSON output");
    info->callback([&ctx, args] { info_command(ctx, args->json); });

    auto* verify =
        group->add_subcommand("verify", "Re-hash every blob and check every reference; exit 1 on problems");
    verify->add_flag("--json", args->json, "JSON output");
    verify->callback([&ctx, args] { verify_command(ctx, args->json); });

    auto* repair = group->add_subcommand(
        "repair",
        "Rebuild a damaged store: set affected records aside, take them verified from a lab cache "
        "(--remote) or leave them for the next run");
    repair->add_flag("--json", args->json, "JSON output");
    add_remote_options(repair, args->remote, false);
    repair->callback([&ctx, args] { repair_command(ctx, args->remote, args->json); });

    auto* gc = group->add_subcommand("gc", "Delete blobs nothing references (a dry run unless --yes)");
    gc->add_flag("--dry-run", args->dry_run, "List what would be deleted (the default)");
    gc->add_flag("--yes", args->yes, "Really delete");
    gc->add_flag("--json", args->json, "JSON output");
    gc->callback([&ctx, args] {
        if (args->yes && args->dry_run) {
            return ctx.report(
                Error{Errc::invalid_argument, "--yes and --dry-run contradict each other", "store gc"});
        }
        gc_command(ctx, args->yes, args->json);
    });

    auto* exp =
        group->add_subcommand("export", "Write trials and named items with their blobs to a bundle file");
    exp->add_option("--trials", args->trials, "Trial keys (64 hex digits)");
    exp->add_option("--items", args->items, "Named items");
    exp->add_flag("--all", args->all, "Every complete trial and every named item");
    exp->add_option("FILE", args->file, "Bundle file to write")->required();
    exp->callback([&ctx, args] { export_command(ctx, args->trials, args->items, args->all, args->file); });

    auto* imp = group->add_subcommand("import",
                                      "Verify a bundle file and add its trials and named items to the store");
    imp->add_option("FILE", args->file, "Bundle file to read")->required();
    imp->callback([&ctx, args] { import_command(ctx, args->file); });

    auto* put = group->add_subcommand("put", "Store a file as a named item");
    put->add_option("NAME", args->name, "Item name")->required();
    put->add_option("FILE", args->file, "File to store")->required();
    put->add_option("--encoding", args->encoding, "How the bytes are to be read (default: file)");
    put->callback([&ctx, args] { put_command(ctx, args->name, args->file, args->encoding); });

    auto* get = group->add_subcommand("get", "Write a named item to stdout or a file");
    get->add_option("NAME", args->name, "Item name")->required();
    get->add_option("-o,--output", args->output, "Output file (default: stdout)");
    get->callback([&ctx, args] { get_command(ctx, args->name, args->output); });

    auto* ls = group->add_subcommand("ls", "List named items");
    ls->add_option("PREFIX", args->prefix, "Only names starting with this");
    ls->add_flag("--json", args->json, "JSON output with metadata");
    ls->callback([&ctx, args] { ls_command(ctx, args->prefix, args->json); });

    auto* rm = group->add_subcommand("rm", "Delete a named item (its blob stays until gc)");
    rm->add_option("NAME", args->name, "Item name")->required();
    rm->callback([&ctx, args] { rm_command(ctx, args->name); });

    auto* meta = group->add_subcommand("meta", "Show a named item's metadata");
    meta->add_option("NAME", args->name, "Item name")->required();
    meta->add_flag("--json", args->json, "JSON output");
    meta->callback([&ctx, args] { meta_command(ctx, args->name, args->json); });
}

}  // namespace silico::runner
