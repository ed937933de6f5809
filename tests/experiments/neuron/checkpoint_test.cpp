// Checkpoints inside a run (checkpoint.hpp) on cell 86 in real NEURON, across real processes: process A runs
// with checkpoints and is stopped mid-run (it _exits right after a save, as a preempted job would die);
// process B builds the same cell and protocol from scratch and continues from A's checkpoint; process C runs
// the same trial without checkpoints. B's outputs must equal C's bit for bit. Covered twice: a current step
// (IClamp) and a replay of ISF's stored synaptic input (VecStims, NetCons, the event queue in flight).
//
// Every NEURON run happens in a forked child (fresh interpreter each); the test process never starts NEURON.
// About 10 s of simulation in all (cell 86, 100-120 ms trials at dt 0.025).
#include "silico/neuron/checkpoint.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>

#include "cell_test_data.hpp"
#include "silico/model/activity.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/model/synapse_sites.hpp"
#include "silico/neuron/neuron_cell.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"
#include "silico/neuron/synapse_pools.hpp"

namespace silico::experiments {
namespace {

namespace fs = std::filesystem;

// What a child reports back: the outputs and what checkpointing did.
struct Outcome {
    RunResult run;
    bool ok = false;
};

// One child's run, serialised to a file: steps, resumed t (NaN if none), saves, warnings, then the vectors.
void write_outcome(const fs::path& file, const RunResult& r) {
    std::ofstream out(file, std::ios::binary);
    auto put = [&](const void* p, std::size_t n) {
        out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
    };
    auto put_vec = [&](const std::vector<double>& v) {
        const std::uint64_t n = v.size();
        put(&n, 8);
        put(v.data(), n * 8);
    };
    const std::uint64_t steps = r.steps, saved = r.checkpoint.saved, traces = r.traces.size(),
                        warnings = r.checkpoint.warnings.size();
    const double resumed = r.checkpoint.resumed_from_ms.value_or(NAN);
    put(&steps, 8);
    put(&resumed, 8);
    put(&saved, 8);
    put(&warnings, 8);
    for (const auto& w : r.checkpoint.warnings) {
        const std::uint64_t n = w.size();
        put(&n, 8);
        put(w.data(), n);
    }
    put_vec(r.time);
    put(&traces, 8);
    for (const auto& t : r.traces) put_vec(t.values);
}

Outcome read_outcome(const fs::path& file) {
    Outcome o;
    std::ifstream in(file, std::ios::binary);
    if (!in) return o;
    auto get = [&](void* p, std::size_t n) {
        in.read(static_cast<char*>(p), static_cast<std::streamsize>(n));
    };
    auto get_vec = [&] {
        std::uint64_t n = 0;
        get(&n, 8);
        std::vector<double> v(n);
        get(v.data(), n * 8);
        return v;
    };
    std::uint64_t steps = 0, saved = 0, traces = 0, warnings = 0;
    double resumed = 0;
    get(&steps, 8);
    get(&resumed, 8);
    get(&saved, 8);
    get(&warnings, 8);
    for (std::uint64_t i = 0; i < warnings; ++i) {
        std::uint64_t n = 0;
        get(&n, 8);
        std::string w(n, '\0');
        get(w.data(), n);
        o.run.checkpoint.warnings.push_back(w);
    }
    o.run.steps = steps;
    if (!std::isnan(resumed)) o.run.checkpoint.resumed_from_ms = resumed;
    o.run.checkpoint.saved = saved;
    o.run.time = get_vec();
    get(&traces, 8);
    for (std::uint64_t i = 0; i < traces; ++i) o.run.traces.push_back({"", get_vec()});
    o.ok = static_cast<bool>(in);
    return o;
}

// Runs `body` in a forked child; the child's RunResult comes back through a file. Exit status 0 = the body
// returned a result, 3 = it stopped itself on purpose (after_save), anything else = it failed.
int in_child(const fs::path& out, const std::function<Result<RunResult>()>& body) {
    std::cout.flush();
    const pid_t pid = ::fork();
    if (pid == 0) {
        auto r = body();
        if (!r) {
            std::cerr << "child: " << r.error().what() << std::endl;
            ::_exit(2);
        }
        write_outcome(out, *r);
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Cell 86 as shipped, in this (child) process's NEURON. Legacy units as the replay test uses (ISF's 2015
// data); both setups are process-wide and identical in every child.
struct Cell86 {
    Simulator* sim = nullptr;
    CellParameters parameters;
    std::unique_ptr<NeuronCell> cell;

    static Result<Cell86> build() {
        Cell86 c;
        auto sim = Simulator::instance();
        if (!sim) return std::unexpected(sim.error());
        c.sim = *sim;
        if (auto ok = c.sim->hoc("{nrnunit_use_legacy(1)}"); !ok) return std::unexpected(ok.error());
        const recipes::PathMap paths = {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}};
        auto p = read_cell_parameters(test::k_param_86, paths);
        if (!p) return std::unexpected(p.error());
        c.parameters = *p;
        auto model = build_cell_model(c.parameters);
        if (!model) return std::unexpected(model.error());
        auto cell = NeuronCell::instantiate(*c.sim, *model);
        if (!cell) return std::unexpected(cell.error());
        c.cell = std::make_unique<NeuronCell>(std::move(*cell));
        return c;
    }

    StimulusSpec spec(double tstop) const {
        StimulusSpec s;
        s.integration.dt = 0.025;
        s.integration.tstop = tstop;
        s.integration.v_init = parameters.sim.v_init.value_or(-75.0);
        s.integration.celsius = parameters.sim.temperature.value_or(34.0);
        const Location soma{cell->hoc_name(cell->model().soma_id()), 0.5};
        s.probes.push_back({"soma.v", soma, "v"});
        s.probes.push_back({"soma.cai", soma, "cai"});
        return s;
    }
};

// The checkpointed trials: a soma step strong enough to spike, or ISF's stored trial 0 synaptic input.
enum class Input { current_step, replay };

// `extra_hoc` runs after the cell is built (a structural change a checkpoint was not saved with).
Result<RunResult> run_trial(Input input, double tstop, const CheckpointOptions* checkpoint,
                            const std::string& extra_hoc = {}) {
    auto c = Cell86::build();
    if (!c) return std::unexpected(c.error());
    if (!extra_hoc.empty())
        if (auto ok = c->sim->hoc(extra_hoc); !ok) return std::unexpected(ok.error());
    StimulusSpec spec = c->spec(tstop);
    std::optional<PreparedNetwork> network;
    std::optional<SynapsePools> model;
    if (input == Input::current_step) {
        spec.clamps.push_back({spec.probes[0].at, 20.0, tstop, 1.2});
    } else {
        const recipes::PathMap paths = {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}};
        auto net = read_network_param(test::k_example_data + "/functional_constraints/network.param.TEMPLATE",
                                      paths);
        if (!net) return std::unexpected(net.error());
        auto prepared = prepare_network(std::move(*net));
        if (!prepared) return std::unexpected(prepared.error());
        network = std::move(*prepared);
        auto rows = read_synapse_activation_file(test::k_synapses_2015);
        if (!rows) return std::unexpected(rows.error());
        auto activity = activity_from_replay(*network, *rows);
        if (!activity) return std::unexpected(activity.error());
        auto sites = place_replayed_synapses(c->cell->model(), *network, *rows);
        if (!sites) return std::unexpected(sites.error());
        auto nm = SynapsePools::create(*c->sim, *c->cell, *network);
        if (!nm) return std::unexpected(nm.error());
        model.emplace(std::move(*nm));
        if (auto ok = model->load(*activity, *sites); !ok) return std::unexpected(ok.error());
    }
    auto protocol = Stimulus::install(*c->sim, spec);
    if (!protocol) return std::unexpected(protocol.error());
    return protocol->run(checkpoint);
}

// A fresh temporary folder per test.
class TempFolder {
  protected:
    void make_folder() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string(info->test_suite_name()) + "_" + info->name();
        for (char& ch : name)
            if (ch == '/') ch = '_';
        dir = fs::path(::testing::TempDir()) / ("silico_" + std::to_string(::getpid()) + "_" + name);
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    fs::path dir;
};

class Checkpoint : public ::testing::TestWithParam<Input>, public TempFolder {
  protected:
    void SetUp() override { make_folder(); }
    void TearDown() override { fs::remove_all(dir); }
};

class CheckpointOfCell86 : public ::testing::Test, public TempFolder {
  protected:
    void SetUp() override { make_folder(); }
    void TearDown() override { fs::remove_all(dir); }

    // Process A runs the 60 ms current step of "trial 1" with checkpoints every 20 ms and dies right after
    // its first save; returns the options that name that checkpoint.
    CheckpointOptions checkpoint_of_trial_1() {
        CheckpointOptions options;
        options.file = dir / "trial.ckpt";
        options.every_ms = 20.0;
        options.identity = "trial 1";
        CheckpointOptions a = options;
        a.after_save = [](double) { ::_exit(3); };
        EXPECT_EQ(in_child(dir / "a.out", [&] { return run_trial(Input::current_step, 60.0, &a); }), 3);
        return options;
    }
};

void expect_bit_identical(const RunResult& got, const RunResult& want) {
    EXPECT_EQ(got.steps, want.steps);
    ASSERT_EQ(got.time.size(), want.time.size());
    EXPECT_EQ(std::memcmp(got.time.data(), want.time.data(), got.time.size() * 8), 0);
    ASSERT_EQ(got.traces.size(), want.traces.size());
    for (std::size_t i = 0; i < got.traces.size(); ++i) {
        const auto& a = got.traces[i].values;
        const auto& b = want.traces[i].values;
        ASSERT_EQ(a.size(), b.size()) << "trace " << i;
        std::size_t first_diff = a.size();
        for (std::size_t k = 0; k < a.size() && first_diff == a.size(); ++k)
            if (std::memcmp(&a[k], &b[k], 8) != 0) first_diff = k;
        EXPECT_EQ(first_diff, a.size()) << "trace " << i << " differs first at sample " << first_diff
                                        << " (t = " << want.time[std::min(first_diff, want.time.size() - 1)]
                                        << "): " << a[std::min(first_diff, a.size() - 1)] << " vs "
                                        << b[std::min(first_diff, b.size() - 1)];
    }
}

TEST_P(Checkpoint, ARunStoppedAfterASaveAndContinuedInAnotherProcessEqualsAnUninterruptedRunBitForBit) {
    const Input input = GetParam();
    const double tstop = input == Input::current_step ? 100.0 : 120.0;
    const double stop_at = tstop / 2;
    CheckpointOptions options;
    options.file = dir / "trial.ckpt";
    options.every_ms = 10.0;
    options.identity = "trial under test";

    // A: checkpoints every 10 ms, "preempted" right after the save at t >= tstop / 2.
    CheckpointOptions a = options;
    a.after_save = [stop_at](double t) {
        if (t >= stop_at) ::_exit(3);
    };
    ASSERT_EQ(in_child(dir / "a.out", [&] { return run_trial(input, tstop, &a); }), 3);
    auto info = read_checkpoint_info(options.file);
    ASSERT_TRUE(info) << info.error().what();
    EXPECT_GE(info->t, stop_at);
    EXPECT_LT(info->t, stop_at + 1.0);
    EXPECT_EQ(info->identity, options.identity);
    EXPECT_EQ(info->neuron_version, Simulator::version());
    std::cout << "[ ckpt    ] checkpoint at t = " << info->t << " ms after " << info->steps
              << " steps: " << info->bytes << " bytes\n";

    // B: a fresh process continues from A's checkpoint.
    ASSERT_EQ(in_child(dir / "b.out", [&] { return run_trial(input, tstop, &options); }), 0);
    // C: the same trial without checkpoints.
    ASSERT_EQ(in_child(dir / "c.out", [&] { return run_trial(input, tstop, nullptr); }), 0);
    const Outcome b = read_outcome(dir / "b.out");
    const Outcome c = read_outcome(dir / "c.out");
    ASSERT_TRUE(b.ok && c.ok);
    ASSERT_TRUE(b.run.checkpoint.resumed_from_ms.has_value());
    EXPECT_EQ(*b.run.checkpoint.resumed_from_ms, info->t);
    EXPECT_TRUE(b.run.checkpoint.warnings.empty()) << b.run.checkpoint.warnings.front();
    EXPECT_FALSE(c.run.checkpoint.resumed_from_ms.has_value());
    // B saved the remaining checkpoints only (every 10 ms after the resume, none at tstop).
    EXPECT_EQ(b.run.checkpoint.saved, static_cast<std::size_t>(std::ceil((tstop - info->t) / 10.0)) - 1);
    const auto& v = c.run.traces[0].values;
    std::cout << "[ ckpt    ] soma Vm range " << *std::min_element(v.begin(), v.end()) << " .. "
              << *std::max_element(v.begin(), v.end()) << " mV over " << c.run.steps << " steps\n";
    expect_bit_identical(b.run, c.run);
    // The trial does something in both halves (spikes or synaptic depolarisation), so the comparison of
    // the continued half is meaningful.
    EXPECT_GT(*std::max_element(v.begin() + static_cast<std::ptrdiff_t>(info->steps), v.end()), -70.0);
}

TEST_F(CheckpointOfCell86, AnotherTrialsOrADamagedOneIsIgnoredAndAFailedSaveIsAWarningNotAFailure) {
    const Input input = Input::current_step;
    CheckpointOptions options = checkpoint_of_trial_1();
    ASSERT_TRUE(read_checkpoint_info(options.file));

    CheckpointOptions other = options;
    other.identity = "trial 2";
    other.every_ms = 0;
    ASSERT_EQ(in_child(dir / "b.out", [&] { return run_trial(input, 60.0, &other); }), 0);
    ASSERT_EQ(in_child(dir / "c.out", [&] { return run_trial(input, 60.0, nullptr); }), 0);
    const Outcome b = read_outcome(dir / "b.out");
    const Outcome c = read_outcome(dir / "c.out");
    ASSERT_TRUE(b.ok && c.ok);
    EXPECT_FALSE(b.run.checkpoint.resumed_from_ms.has_value());
    ASSERT_EQ(b.run.checkpoint.warnings.size(), 1u);
    EXPECT_NE(b.run.checkpoint.warnings[0].find("belongs to 'trial 1'"), std::string::npos)
        << b.run.checkpoint.warnings[0];
    expect_bit_identical(b.run, c.run);

    // One flipped byte in the NEURON state: the digest rejects the file.
    {
        std::fstream f(options.file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(200);
        char x = 0;
        f.read(&x, 1);
        f.seekp(200);
        x = static_cast<char>(x ^ 0x40);
        f.write(&x, 1);
    }
    auto damaged = read_checkpoint_info(options.file);
    ASSERT_FALSE(damaged);
    EXPECT_EQ(damaged.error().code, Errc::corruption);
    options.every_ms = 0;
    ASSERT_EQ(in_child(dir / "d.out", [&] { return run_trial(input, 60.0, &options); }), 0);
    const Outcome d = read_outcome(dir / "d.out");
    ASSERT_TRUE(d.ok);
    EXPECT_FALSE(d.run.checkpoint.resumed_from_ms.has_value());
    ASSERT_EQ(d.run.checkpoint.warnings.size(), 1u);
    EXPECT_NE(d.run.checkpoint.warnings[0].find("digest mismatch"), std::string::npos)
        << d.run.checkpoint.warnings[0];
    expect_bit_identical(d.run, c.run);

    // A checkpoint that cannot be written (its folder is a file) costs the saves, not the trial.
    std::ofstream(dir / "not_a_folder") << "x";
    CheckpointOptions unwritable = options;
    unwritable.file = dir / "not_a_folder" / "trial.ckpt";
    unwritable.every_ms = 20.0;
    ASSERT_EQ(in_child(dir / "e.out", [&] { return run_trial(input, 60.0, &unwritable); }), 0);
    const Outcome e = read_outcome(dir / "e.out");
    ASSERT_TRUE(e.ok);
    EXPECT_EQ(e.run.checkpoint.saved, 0u);
    ASSERT_EQ(e.run.checkpoint.warnings.size(), 1u);
    EXPECT_NE(e.run.checkpoint.warnings[0].find("not saved, no further saves"), std::string::npos)
        << e.run.checkpoint.warnings[0];
    expect_bit_identical(e.run, c.run);
}

// NEURON aborts when a SaveState meets a structure it was not saved from. A checkpoint that crashes its
// restore must not crash every later attempt: it is set aside while it is restored, so after the crash the
// next attempt finds none and runs from t = 0 to the uninterrupted result.
TEST_F(CheckpointOfCell86, ACheckpointThatCrashesItsRestoreIsNotTriedAgain) {
    const Input input = Input::current_step;
    CheckpointOptions options = checkpoint_of_trial_1();
    ASSERT_TRUE(read_checkpoint_info(options.file));

    // B: one more artificial cell (a VecStim that plays nothing: no effect on v).
    const std::string extra = "objref silico_test_extra_\n{silico_test_extra_ = new VecStim()}";
    CheckpointOptions b_options = options;
    b_options.every_ms = 0;
    const int b_status = in_child(dir / "b.out", [&] { return run_trial(input, 60.0, &b_options, extra); });
    // NEURON 8.2 aborts on an extra artificial cell (an extra Exp2Syn is refused with a hoc error instead).
    ASSERT_EQ(b_status, -1) << "the restore did not crash NEURON";
    std::cout << "[ ckpt    ] the restore crashed NEURON, as expected\n";
    EXPECT_FALSE(fs::exists(options.file));
    EXPECT_TRUE(fs::exists(options.file.string() + ".restoring"));

    // D: the next attempt (same structure as A) finds no checkpoint and runs the trial whole.
    CheckpointOptions d_options = options;
    d_options.every_ms = 0;
    ASSERT_EQ(in_child(dir / "d.out", [&] { return run_trial(input, 60.0, &d_options); }), 0);
    ASSERT_EQ(in_child(dir / "c.out", [&] { return run_trial(input, 60.0, nullptr); }), 0);
    const Outcome d = read_outcome(dir / "d.out");
    const Outcome c = read_outcome(dir / "c.out");
    ASSERT_TRUE(d.ok && c.ok);
    EXPECT_FALSE(d.run.checkpoint.resumed_from_ms.has_value());
    EXPECT_TRUE(d.run.checkpoint.warnings.empty());
    expect_bit_identical(d.run, c.run);
}

INSTANTIATE_TEST_SUITE_P(Cell86, Checkpoint, ::testing::Values(Input::current_step, Input::replay),
                         [](const auto& param_info) {
                             return param_info.param == Input::current_step ? std::string("CurrentStep")
                                                                            : std::string("SynapticReplay");
                         });

}  // namespace
}  // namespace silico::experiments
