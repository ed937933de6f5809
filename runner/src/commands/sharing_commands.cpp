// `silico serve`, `silico push`, `silico pull`, and --remote for `run` and `plan` (sharing_support.hpp).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "commands/run_plan.hpp"
#include "commands/sharing_support.hpp"
#include "silico/sharing/remote.hpp"
#include "silico/sharing/server.hpp"
#include "silico/sharing/transfer.hpp"

namespace silico::runner {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

void add_remote_options(CLI::App* cmd, RemoteArgs& args, bool required) {
    auto* url =
        cmd->add_option("--remote", args.url, "Lab cache: http[s]://HOST:PORT[/PREFIX] (docs/sharing.md)");
    if (required) url->required();
    cmd->add_option("--token-file", args.token_file,
                    "File holding the bearer token (its first line's last field)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--remote-ca", args.ca_file,
                    "https: trust these PEM certificates instead of the system's")
        ->check(CLI::ExistingFile);
    cmd->add_option("--remote-timeout", args.timeout_s,
                    "Seconds per request step before the cache counts as "
                    "failed (default 10)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--remote-connections", args.connections, "Parallel connections to the cache (default 4)")
        ->check(CLI::Range(1, 64));
}

namespace {

Result<sharing::RemoteOptions> remote_options(const RemoteArgs& args) {
    sharing::RemoteOptions options;
    options.url = args.url;
    options.ca_file = args.ca_file;
    options.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(args.timeout_s * 1000.0));
    if (!args.token_file.empty()) {
        auto token = sharing::read_token_file(args.token_file);
        if (!token) return std::unexpected(token.error());
        options.token = std::move(*token);
    }
    if (auto probe = sharing::open_remote(options); !probe) return std::unexpected(probe.error());
    return options;
}

std::vector<sharing::WantedTrial> wanted_trials(const recipes::Plan& plan,
                                                const std::vector<std::size_t>& which) {
    std::vector<sharing::WantedTrial> wanted;
    wanted.reserve(which.size());
    for (std::size_t i : which) {
        store::TrialRecord expected;
        set_seed_fields(plan, plan.trials[i], expected);
        wanted.push_back({plan.trials[i].key, std::move(expected)});
    }
    return wanted;
}

void print_warnings(const sharing::PullReport& report, const std::string& url) {
    for (const auto& w : report.warnings) std::cerr << "silico: warning: remote " << url << ": " << w << "\n";
    if (report.remote_failure)
        std::cerr << "silico: warning: remote " << url << " failed (" << *report.remote_failure
                  << "); the remaining trials are left to local work\n";
}

// ----- silico serve ----------------------------------------------------------------------------------------

struct ServeArgs {
    sharing::ServerOptions options;
    std::string tls_cert, tls_key, write_tokens, read_tokens;
    double max_body_mb = 256;
    double request_timeout_s = 30;
};

void serve_store(ServeArgs& args, CliContext& ctx) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("silico-serve"));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
    args.options.tls_cert = args.tls_cert;
    args.options.tls_key = args.tls_key;
    args.options.write_token_file = args.write_tokens;
    args.options.read_token_file = args.read_tokens;
    args.options.max_body_bytes = static_cast<std::uint64_t>(args.max_body_mb * 1024.0 * 1024.0);
    args.options.request_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(args.request_timeout_s * 1e3));
    auto store = store::Store::open(ctx.store_dir());
    if (!store) {
        ctx.report(store.error());
        return;
    }
    std::atomic<bool> stop{false};
    auto served = sharing::serve(
        *store, args.options, stop,
        [](unsigned short port) { std::cout << "listening on port " << port << std::endl; }, true);
    if (!served) ctx.report(served.error());
}

// ----- silico push / pull ----------------------------------------------------------------------------------

struct TransferArgs {
    RemoteArgs remote;
    std::string recipe;
    bool all = false;
    bool json = false;
    std::vector<std::string> paths;
};

bool check_selection(const TransferArgs& args, CliContext& ctx) {
    if (args.all == args.recipe.empty()) return true;
    ctx.report(
        Error{Errc::invalid_argument, "give a RECIPE or --all, not both and not neither", "push/pull"});
    return false;
}

void push_command(const TransferArgs& args, CliContext& ctx) {
    if (!check_selection(args, ctx)) return;
    auto options = remote_options(args.remote);
    if (!options) return ctx.report(options.error());
    store::Options ro;
    ro.read_only = true;
    auto store = store::Store::open(ctx.store_dir(), ro);
    if (!store) return ctx.report(store.error());
    std::vector<Digest> keys;
    std::size_t not_local = 0;
    if (args.all) {
        auto st = store->for_each_trial([&](const Digest& key, const store::TrialRecord&) {
            keys.push_back(key);
            return true;
        });
        if (!st) return ctx.report(st.error());
    } else {
        auto loaded = load_plan(args.recipe, false, ctx, args.paths);
        if (!loaded) return;
        auto complete = trials_complete(loaded->plan, *store);
        if (!complete) return ctx.report(complete.error());
        for (std::size_t i = 0; i < loaded->plan.trials.size(); ++i) {
            if ((*complete)[i]) {
                keys.push_back(loaded->plan.trials[i].key);
            } else {
                ++not_local;
            }
        }
    }
    auto pushed = sharing::push_trials(*store, *options, keys, {.connections = args.remote.connections});
    if (!pushed) return ctx.report(pushed.error().within("push to " + args.remote.url));
    if (args.json) {
        std::cout << Json{{"remote", args.remote.url},        {"trials", pushed->trials},
                          {"blobs_sent", pushed->blobs_sent}, {"blobs_present", pushed->blobs_present},
                          {"bytes", pushed->bytes},           {"not_complete_locally", not_local}}
                         .dump(2)
                  << "\n";
        return;
    }
    std::cout << "pushed " << pushed->trials << " trials to " << args.remote.url << ": " << pushed->blobs_sent
              << " blobs sent (" << std::fixed << std::setprecision(1)
              << static_cast<double>(pushed->bytes) / 1e6 << " MB), " << pushed->blobs_present
              << " already there" << std::defaultfloat;
    if (not_local > 0) std::cout << "; " << not_local << " trials of the recipe are not complete here";
    std::cout << "\n";
}

void pull_command(const TransferArgs& args, CliContext& ctx) {
    if (!check_selection(args, ctx)) return;
    auto options = remote_options(args.remote);
    if (!options) return ctx.report(options.error());
    std::vector<sharing::WantedTrial> wanted;
    if (args.all) {
        auto remote = sharing::open_remote(*options);
        if (!remote) return ctx.report(remote.error());
        auto keys = (*remote)->list(sharing::Area::ac);
        if (!keys) return ctx.report(keys.error().within("listing " + args.remote.url));
        for (const auto& key : *keys) wanted.push_back({key, std::nullopt});
    } else {
        auto loaded = load_plan(args.recipe, false, ctx, args.paths);
        if (!loaded) return;
        std::vector<std::size_t> all(loaded->plan.trials.size());
        for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
        wanted = wanted_trials(loaded->plan, all);
    }
    auto store = store::Store::open(ctx.store_dir());
    if (!store) return ctx.report(store.error());
    auto pulled = sharing::pull_trials(*store, *options, wanted, {.connections = args.remote.connections});
    if (!pulled) return ctx.report(pulled.error());
    print_warnings(*pulled, args.remote.url);
    if (args.json) {
        std::cout << Json{{"remote", args.remote.url},
                          {"wanted", pulled->wanted},
                          {"pulled", pulled->pulled},
                          {"already", pulled->already},
                          {"absent", pulled->absent},
                          {"refused", pulled->refused},
                          {"bytes", pulled->bytes},
                          {"remote_failure", pulled->remote_failure ? Json(*pulled->remote_failure) : Json()}}
                         .dump(2)
                  << "\n";
    } else {
        std::cout << "pulled " << pulled->pulled << " of " << pulled->wanted << " trials from "
                  << args.remote.url << " (" << pulled->already << " already here, " << pulled->absent
                  << " not on the remote, " << pulled->refused << " refused)\n";
    }
    if (pulled->refused > 0 || pulled->remote_failure) ctx.exit_code = 1;
}

}  // namespace

std::vector<std::size_t> take_from_remote(const RemoteArgs& args, const recipes::Plan& plan,
                                          const std::vector<std::size_t>& missing, store::Store& store) {
    if (args.url.empty() || missing.empty()) return {};
    auto options = remote_options(args);
    if (!options) {
        std::cerr << "silico: warning: remote " << args.url << " not used: " << options.error().what()
                  << "\n";
        return {};
    }
    auto pulled = sharing::pull_trials(store, *options, wanted_trials(plan, missing),
                                       {.connections = args.connections});
    if (!pulled) {
        std::cerr << "silico: warning: taking trials from " << args.url
                  << " stopped: " << pulled.error().what() << "\n";
        return {};
    }
    print_warnings(*pulled, args.url);
    std::vector<std::size_t> taken;
    for (std::size_t i : missing)
        if (std::binary_search(pulled->pulled_keys.begin(), pulled->pulled_keys.end(), plan.trials[i].key))
            taken.push_back(i);
    std::cerr << "silico: " << taken.size() << " of " << missing.size() << " missing trials taken from "
              << args.url << "\n";
    return taken;
}

namespace {

// The set-aside record of each trial repair quarantined ("quarantine/trial/<key>@<unix ms>"), when it decodes.
std::map<Digest, store::TrialRecord> set_aside_records(const store::RepairReport& report,
                                                       const store::Store& store) {
    constexpr std::string_view prefix = "quarantine/trial/";
    std::map<Digest, store::TrialRecord> out;
    for (const auto& name : report.quarantined) {
        if (!name.starts_with(prefix)) continue;
        auto key = Digest::from_hex(name.substr(prefix.size(), 64));
        auto bytes = store.get_item(name);
        if (!key || !bytes) continue;
        if (auto record = store::decode_trial_record(*bytes)) out.emplace(*key, std::move(*record));
    }
    return out;
}

}  // namespace

std::vector<Digest> restore_from_remote(const RemoteArgs& args, const store::RepairReport& report,
                                        store::Store& store) {
    if (args.url.empty() || report.recompute.empty()) return {};
    auto options = remote_options(args);
    if (!options) {
        std::cerr << "silico: warning: remote " << args.url << " not used: " << options.error().what()
                  << "; the trials set aside are left for the next run\n";
        return {};
    }
    const auto known = set_aside_records(report, store);
    std::vector<sharing::WantedTrial> wanted;
    for (const auto& key : report.recompute) {
        const auto it = known.find(key);
        if (it == known.end()) {
            wanted.push_back({key, std::nullopt});  // the record itself was lost: checked as pull --all
        } else {
            wanted.push_back({key, it->second, true});
        }
    }
    auto pulled = sharing::pull_trials(store, *options, wanted, {.connections = args.connections});
    if (!pulled) {
        std::cerr << "silico: warning: taking trials from " << args.url
                  << " stopped: " << pulled.error().what() << "\n";
        return {};
    }
    print_warnings(*pulled, args.url);
    return pulled->pulled_keys;
}

std::vector<std::optional<bool>> remote_availability(const RemoteArgs& args, const recipes::Plan& plan) {
    std::vector<std::optional<bool>> none(plan.trials.size());
    auto options = remote_options(args);
    if (!options) {
        std::cerr << "silico: warning: remote " << args.url << " not used: " << options.error().what()
                  << "\n";
        return none;
    }
    std::vector<Digest> keys;
    for (const auto& t : plan.trials) keys.push_back(t.key);
    std::optional<std::string> failure;
    auto found = sharing::remote_has_records(*options, keys, failure);
    if (failure) std::cerr << "silico: warning: remote " << args.url << " failed: " << *failure << "\n";
    return found;
}

void add_sharing_commands(CLI::App& app, CliContext& ctx) {
    {
        auto* cmd = app.add_subcommand("serve", "Serve the store as a lab cache over HTTP (docs/sharing.md)");
        auto args = std::make_shared<ServeArgs>();
        cmd->add_option("--listen", args->options.listen,
                        "ADDR:PORT (default 127.0.0.1:9090; port 0: any free)");
        cmd->add_option("--tls-cert", args->tls_cert, "PEM certificate chain: serve HTTPS")
            ->check(CLI::ExistingFile);
        cmd->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert")
            ->check(CLI::ExistingFile);
        cmd->add_option("--write-token-file", args->write_tokens,
                        "Tokens allowed to write, one \"TOKEN\" or \"NAME TOKEN\" a line (none: read-only)")
            ->check(CLI::ExistingFile);
        cmd->add_option("--read-token-file", args->read_tokens,
                        "Tokens allowed to read (none: reads are open)")
            ->check(CLI::ExistingFile);
        cmd->add_option("--max-body-mb", args->max_body_mb, "Largest request body in MiB (default 256)")
            ->check(CLI::PositiveNumber);
        cmd->add_option("--max-connections", args->options.max_connections,
                        "Concurrent connections; more get 503 (default 64)")
            ->check(CLI::Range(1, 100000));
        cmd->add_option("--request-timeout", args->request_timeout_s,
                        "Seconds to receive a request or send a response (default 30)")
            ->check(CLI::PositiveNumber);
        cmd->add_option("--threads", args->options.threads, "Server threads (default 4)")
            ->check(CLI::Range(1, 256));
        cmd->callback([&ctx, args] { serve_store(*args, ctx); });
    }
    for (const bool push : {true, false}) {
        auto* cmd = app.add_subcommand(
            push ? "push" : "pull", push ? "Send complete trials with their blobs to a lab cache"
                                         : "Take complete, verified trials from a lab cache into the store");
        auto args = std::make_shared<TransferArgs>();
        add_remote_options(cmd, args->remote, true);
        cmd->add_option("recipe", args->recipe, "The recipe whose trials to move")->check(CLI::ExistingFile);
        cmd->add_flag("--all", args->all,
                      push ? "Every complete trial of the store" : "Every trial the cache lists");
        cmd->add_flag("--json", args->json, "Print JSON");
        cmd->add_option("--path", args->paths,
                        "Placeholder folder NAME=DIR, overriding the recipe's [paths]");
        cmd->callback([&ctx, args, push] { push ? push_command(*args, ctx) : pull_command(*args, ctx); });
    }
}

}  // namespace silico::runner
