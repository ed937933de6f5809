// The local and ssh executors (worker pools with different launch commands) and --executor parsing.
#include <unistd.h>

#include <charconv>
#include <thread>

#include "executors/worker_pool.hpp"
#include "silico/runner/executor.hpp"

namespace silico::runner {
namespace {

// Quotes one word for a POSIX shell: the remote side of ssh runs the command through the user's shell.
std::string shell_quote(std::string_view word) {
    if (!word.empty() &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:@,+") ==
            std::string_view::npos)
        return std::string(word);
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

Result<unsigned> parse_count(std::string_view text, std::string_view what) {
    unsigned n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || n == 0)
        return fail(Errc::invalid_argument,
                    std::string(what) + " must be a positive number, got \"" + std::string(text) + "\"");
    return n;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    for (std::size_t pos = 0;;) {
        auto next = text.find(sep, pos);
        parts.push_back(text.substr(pos, next - pos));
        if (next == std::string_view::npos) return parts;
        pos = next + 1;
    }
}

// The words of a worker= command: split at blanks. Quotes are refused rather than half-understood (a word
// with a blank needs the API's SlurmOptions::worker_command).
Result<std::vector<std::string>> command_words(std::string_view text) {
    if (text.find_first_of("'\"\\") != std::string_view::npos)
        return fail(Errc::invalid_argument,
                    "worker= takes words separated by blanks, without quotes or backslashes: \"" +
                        std::string(text) + "\"");
    std::vector<std::string> words;
    for (auto word : split(text, ' '))
        if (!word.empty()) words.emplace_back(word);
    if (words.empty())
        return fail(Errc::invalid_argument, "worker= needs a command, e.g. worker=silico worker");
    return words;
}

// slurm:DIR[,K][,worker=CMD]: worker= comes last and takes the rest of the spec, commas included.
Result<SlurmOptions> parse_slurm_spec(std::string_view args) {
    SlurmOptions slurm;
    constexpr std::string_view usage = "slurm:DIR[,K][,worker=CMD]";
    const auto worker_at = args.find(",worker=");
    const std::string_view head = args.substr(0, worker_at);
    auto parts = split(head, ',');
    if (head.empty() || parts[0].empty() || head.starts_with("worker="))
        return fail(Errc::invalid_argument, "slurm executor needs a shared folder: " + std::string(usage));
    if (parts.size() > 2)
        return fail(Errc::invalid_argument,
                    "unexpected \"" + std::string(parts[2]) + "\" in slurm executor: " + std::string(usage));
    slurm.shared_dir = std::string(parts[0]);
    if (parts.size() > 1) {
        auto k = parse_count(parts[1], "slurm array throttle");
        if (!k) return std::unexpected(k.error());
        slurm.max_parallel_tasks = *k;
    }
    if (worker_at != std::string_view::npos) {
        auto words = command_words(args.substr(worker_at + std::string_view(",worker=").size()));
        if (!words) return std::unexpected(words.error());
        slurm.worker_command = std::move(*words);
    }
    return slurm;
}

}  // namespace

std::filesystem::path self_executable() {
    std::error_code ec;
    auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path("silico") : path;
}

std::unique_ptr<Executor> make_local_executor(LocalOptions local, ExecutorOptions options) {
    unsigned n = local.workers;
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    if (local.worker_command.empty())
        local.worker_command = {self_executable().string(), "worker", "--stdio"};
    std::vector<SlotSpec> slots;
    for (unsigned i = 0; i < n; ++i)
        slots.push_back(SlotSpec{"local#" + std::to_string(i), local.worker_command, 0});
    PoolPolicy policy;
    policy.group_names = {"local workers"};
    return make_pool_executor("local:" + std::to_string(n), std::move(slots), std::move(policy),
                              std::move(options));
}

std::unique_ptr<Executor> make_ssh_executor(SshOptions ssh, ExecutorOptions options) {
    std::string remote;
    for (const auto& word : ssh.remote_command) remote += (remote.empty() ? "" : " ") + shell_quote(word);
    PoolPolicy policy;
    policy.max_start_failures = std::max(1u, ssh.max_connect_failures);
    policy.restart_backoff = std::chrono::milliseconds(500);
    std::vector<SlotSpec> slots;
    std::string name = "ssh:";
    // Interleave hosts so that a small run still spreads over every host.
    unsigned most = 0;
    for (const auto& host : ssh.hosts) most = std::max(most, host.workers);
    for (std::size_t g = 0; g < ssh.hosts.size(); ++g) {
        policy.group_names.push_back("host " + ssh.hosts[g].destination);
        name += (g ? "," : "") + ssh.hosts[g].destination;
    }
    for (unsigned w = 0; w < most; ++w)
        for (std::size_t g = 0; g < ssh.hosts.size(); ++g) {
            const auto& host = ssh.hosts[g];
            if (w >= host.workers) continue;
            // -T: no tty, so the byte stream stays binary. BatchMode: never prompt for a password.
            // ServerAlive*: notice a dead network within a minute even when no trial finishes.
            std::vector<std::string> argv{
                ssh.ssh_program,        "-T", "-o", "BatchMode=yes", "-o", "ServerAliveInterval=15", "-o",
                "ServerAliveCountMax=4"};
            argv.insert(argv.end(), ssh.ssh_args.begin(), ssh.ssh_args.end());
            argv.push_back(host.destination);
            argv.push_back(remote);
            slots.push_back(
                SlotSpec{"ssh " + host.destination + "#" + std::to_string(w), std::move(argv), g});
        }
    return make_pool_executor(std::move(name), std::move(slots), std::move(policy), std::move(options));
}

Result<std::unique_ptr<Executor>> make_executor(std::string_view spec, ExecutorOptions options) {
    const auto colon = spec.find(':');
    const std::string_view engine = spec.substr(0, colon);
    const std::string_view args =
        colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
    if (engine == "local") {
        LocalOptions local;
        if (!args.empty()) {
            auto n = parse_count(args, "local worker count");
            if (!n) return std::unexpected(n.error());
            local.workers = *n;
        }
        return make_local_executor(std::move(local), std::move(options));
    }
    if (engine == "ssh") {
        SshOptions ssh;
        if (args.empty())
            return fail(Errc::invalid_argument, "ssh executor needs hosts: ssh:HOST[:N][,HOST...]");
        for (auto part : split(args, ',')) {
            SshHost host;
            auto last = part.rfind(':');
            if (last != std::string_view::npos) {
                auto n = parse_count(part.substr(last + 1),
                                     "workers for host " + std::string(part.substr(0, last)));
                if (!n) return std::unexpected(n.error());
                host.workers = *n;
                part = part.substr(0, last);
            }
            if (part.empty())
                return fail(Errc::invalid_argument, "empty host name in \"" + std::string(spec) + "\"");
            host.destination = std::string(part);
            ssh.hosts.push_back(std::move(host));
        }
        return make_ssh_executor(std::move(ssh), std::move(options));
    }
    if (engine == "slurm") {
        auto slurm = parse_slurm_spec(args);
        if (!slurm) return std::unexpected(slurm.error());
        return make_slurm_executor(std::move(*slurm), std::move(options));
    }
    return fail(Errc::invalid_argument,
                "unknown executor \"" + std::string(spec) +
                    "\" (use local[:N], ssh:HOST[,HOST...] or slurm:DIR[,K][,worker=CMD])");
}

}  // namespace silico::runner
