#include "silico/recipes/recipe.hpp"

#include <gtest/gtest.h>

#include "recipe_fixture.hpp"
#include "silico/recipes/plan.hpp"

namespace silico::recipes::testing {
namespace {

using RecipeParsing = RecipeFolder;

TEST_F(RecipeParsing, ReadsATypedSpecWithDefaultsFilledIn) {
    auto r = parse(k_base_recipe);
    ASSERT_TRUE(r.has_value()) << all(r.error());
    auto conditions = expand_conditions(*r);
    ASSERT_TRUE(conditions.has_value());
    ASSERT_EQ(conditions->size(), 1u);
    const Spec& s = conditions->front().spec;
    EXPECT_EQ(s.experiment.protocol, Protocol::current_step);
    EXPECT_EQ(s.cell.biophysics.kind, ParameterSource::Kind::isf_param);
    ASSERT_TRUE(s.cell.biophysics.tree);
    // File references inside the parameter file are made absolute against the file's folder.
    EXPECT_EQ((*s.cell.biophysics.tree)["neuron"]["filename"], (m_dir / "cell.hoc").string());
    EXPECT_FALSE(s.cell.modify.has_value());
    ASSERT_EQ(s.stimulus.steps.size(), 1u);
    EXPECT_DOUBLE_EQ(s.stimulus.steps[0].amplitude, 0.5);
    EXPECT_EQ(s.stimulus.steps[0].at.kind, Location::Kind::soma);
    EXPECT_DOUBLE_EQ(s.simulation.tstop, 200.0);
    EXPECT_DOUBLE_EQ(s.simulation.dt, 0.025);
    EXPECT_EQ(s.simulation.solver, Solver::fixed);
    EXPECT_DOUBLE_EQ(s.simulation.temperature, 34.0);
    EXPECT_DOUBLE_EQ(s.simulation.v_init, -75.0);
    EXPECT_EQ(s.simulation.trials, 1);
    EXPECT_TRUE(s.record.soma);
    EXPECT_EQ(s.record.soma_variables, std::vector<std::string>{"v"});
    EXPECT_EQ(s.record.precision, Precision::float64);
    EXPECT_EQ(s.seeds.mode, SeedMode::independent);
    EXPECT_TRUE(r->root_seed_derived);
}

TEST_F(RecipeParsing, ReadsEverySection) {
    const std::string text = std::string(k_base_recipe) + R"(
trials = 3
solver = "cvode"
[[cell.modify]]
function = "scale_apical"
args = { scale = 2.0 }
[input]
network = "net.param"
release_probability = 0.5
[[stimulus.epsp]]
imax = 0.5
onset = 300.0
section = 3
x = 0.25
[[stimulus.pulse]]
amplitude = 1.9
delay = 5.0
duration = 2.0
count = 3
interval = 10.0
soma_distance = 100.0
[record]
variables = ["v", "Ca_LVAst.ica"]
precision = "float32"
[[record.site]]
name = "a"
landmarks = "sites.landmarkAscii"
[seeds]
root = 42
mode = "isf"
)";
    auto r = parse(text);
    ASSERT_TRUE(r.has_value()) << all(r.error());
    auto c = expand_conditions(*r);
    ASSERT_TRUE(c.has_value());
    const Spec& s = c->front().spec;
    ASSERT_TRUE(s.cell.modify.has_value());
    EXPECT_EQ(s.cell.modify->at(0).name, "scale_apical");
    EXPECT_EQ(s.cell.modify->at(0).args["scale"], 2.0);
    EXPECT_EQ(s.input.network.kind, ParameterSource::Kind::isf_param);
    EXPECT_EQ((*s.input.network.tree)["network"]["L2_C2"]["synapses"]["connectionFile"],
              (m_dir / "cell.con").string());
    EXPECT_DOUBLE_EQ(*s.input.release_probability, 0.5);
    EXPECT_EQ(s.stimulus.epsps[0].at.kind, Location::Kind::section);
    EXPECT_EQ(s.stimulus.epsps[0].at.section, 3);
    EXPECT_DOUBLE_EQ(s.stimulus.epsps[0].at.x, 0.25);
    EXPECT_EQ(s.stimulus.pulses[0].count, 3);
    EXPECT_EQ(s.stimulus.pulses[0].at.kind, Location::Kind::soma_distance);
    EXPECT_DOUBLE_EQ(s.stimulus.pulses[0].at.soma_distance, 100.0);
    EXPECT_EQ(s.record.soma_variables, (std::vector<std::string>{"v", "Ca_LVAst.ica"}));
    EXPECT_EQ(s.record.sites[0].landmarks, m_dir / "sites.landmarkAscii");
    EXPECT_EQ(s.record.precision, Precision::float32);
    EXPECT_EQ(s.simulation.trials, 3);
    EXPECT_EQ(s.simulation.solver, Solver::cvode);
    EXPECT_EQ(r->root_seed, 42u);
    EXPECT_EQ(s.seeds.mode, SeedMode::isf);
}

TEST_F(RecipeParsing, ResolvesPathPlaceholdersRelativeToTheRecipe) {
    write("shared/isf/cell.param", "{'neuron': {'filename': '[ISF]/../../cell.hoc'}}");
    write("recipes/r.toml", replaced(std::string("[paths]\nISF = \"../shared/isf\"\n") + k_base_recipe,
                                     "\"cell.param\"", "\"[ISF]/cell.param\""));
    auto r = load_recipe(m_dir / "recipes/r.toml");
    ASSERT_TRUE(r.has_value()) << all(r.error());
    EXPECT_EQ(r->paths.at("ISF"), (m_dir / "shared/isf").string());
    EXPECT_EQ(r->document["cell"]["biophysics"], (m_dir / "shared/isf/cell.param").string());
}

TEST_F(RecipeParsing, ReadsNativeTomlAndInlineBiophysics) {
    write("cell.toml", "[neuron]\nfilename = \"cell.hoc\"\n[neuron.Soma.properties]\nRa = 100.0\n");
    auto a = parse(replaced(k_base_recipe, "\"cell.param\"", "\"cell.toml\""));
    ASSERT_TRUE(a.has_value()) << all(a.error());
    auto ca = expand_conditions(*a);
    EXPECT_EQ(ca->front().spec.cell.biophysics.kind, ParameterSource::Kind::toml_file);
    auto b = parse(replaced(k_base_recipe, "biophysics = \"cell.param\"",
                            "biophysics = { neuron = { filename = \"cell.hoc\" } }"));
    ASSERT_TRUE(b.has_value()) << all(b.error());
    auto cb = expand_conditions(*b);
    EXPECT_EQ(cb->front().spec.cell.biophysics.kind, ParameterSource::Kind::inline_table);
    EXPECT_EQ((*cb->front().spec.cell.biophysics.tree)["neuron"]["filename"], (m_dir / "cell.hoc").string());
    // The canonical form names the referenced file by content, not by path.
    EXPECT_NE(b->canonical.find("sha256:"), std::string::npos);
    EXPECT_EQ(b->canonical.find("cell.hoc"), std::string::npos);
}

TEST_F(RecipeParsing, ReportsEveryProblemInOnePass) {
    const std::string text =
        replaced(replaced(replaced(k_base_recipe, "tstop = 200.0", "tstop = -1.0\ntsop = 3"), "amplitude",
                          "amplitdue"),
                 "\"cell.param\"", "\"missing.param\"");
    auto r = parse(text);
    ASSERT_FALSE(r.has_value());
    const std::string text_of_all = all(r.error());
    EXPECT_NE(text_of_all.find("value -1.0 must be greater than 0"), std::string::npos) << text_of_all;
    EXPECT_NE(text_of_all.find("did you mean 'tstop'"), std::string::npos) << text_of_all;
    EXPECT_NE(text_of_all.find("did you mean 'amplitude'"), std::string::npos) << text_of_all;
    EXPECT_NE(text_of_all.find("missing required key 'amplitude'"), std::string::npos) << text_of_all;
    EXPECT_NE(text_of_all.find("file not found"), std::string::npos) << text_of_all;
    EXPECT_EQ(r.error().size(), 5u) << text_of_all;
    EXPECT_EQ(to_error(r.error()).code, Errc::validation);
}

TEST_F(RecipeParsing, AMissingRecipeFileIsOneDiagnostic) {
    auto r = load_recipe(m_dir / "nope.toml");
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().front().message.find("cannot open"), std::string::npos);
}

TEST_F(RecipeParsing, ListsAreSweepsAndZipsAdvanceTogether) {
    const std::string text =
        replaced(std::string(k_base_recipe) +
                     "dt = [0.025, 0.05]\n[sweep.zip]\nstim = [\"stimulus.step[0].amplitude\", "
                     "\"stimulus.step[0].delay\"]\n",
                 "amplitude = 0.5\ndelay = 10.0", "amplitude = [0.1, 0.2, 0.3]\ndelay = [1.0, 2.0, 3.0]");
    auto r = parse(text);
    ASSERT_TRUE(r.has_value()) << all(r.error());
    ASSERT_EQ(r->axes.size(), 2u);
    EXPECT_EQ(r->axes[0].name, "simulation.dt");
    EXPECT_EQ(r->axes[1].name, "stim");
    EXPECT_EQ(r->condition_count(), 6u);
    auto c = expand_conditions(*r);
    ASSERT_TRUE(c.has_value());
    ASSERT_EQ(c->size(), 6u);
    // Last axis fastest; zipped keys move together.
    EXPECT_DOUBLE_EQ((*c)[0].spec.simulation.dt, 0.025);
    EXPECT_DOUBLE_EQ((*c)[1].spec.stimulus.steps[0].amplitude, 0.2);
    EXPECT_DOUBLE_EQ((*c)[1].spec.stimulus.steps[0].delay, 2.0);
    EXPECT_DOUBLE_EQ((*c)[5].spec.simulation.dt, 0.05);
    EXPECT_DOUBLE_EQ((*c)[5].spec.stimulus.steps[0].amplitude, 0.3);
    EXPECT_DOUBLE_EQ((*c)[5].spec.stimulus.steps[0].delay, 3.0);
    std::set<std::string> keys;
    for (const auto& cond : *c) keys.insert(cond.key.hex());
    EXPECT_EQ(keys.size(), 6u);
}

TEST_F(RecipeParsing, SweepsAFileKey) {
    auto s = parse(replaced(std::string(k_base_recipe), "[cell]\n",
                            "[cell]\nmorphology = [\"cell.hoc\", \"other.hoc\"]\n"));
    ASSERT_TRUE(s.has_value()) << all(s.error());
    auto c = expand_conditions(*s);
    ASSERT_EQ(c->size(), 2u);
    EXPECT_EQ(*(*c)[1].spec.cell.morphology, m_dir / "other.hoc");
    EXPECT_NE((*c)[0].key, (*c)[1].key);
}

// ---------------------------------------------------------------------------------------------------------
// Malformed recipes: each gives a diagnostic with this key path, message and position.

struct Malformed {
    const char* name;
    const char* from;  // text of the base recipe to replace ("" = nothing)
    const char* to;
    const char* append;  // text appended after the replacement
    const char* key;
    const char* message;
    std::size_t line;
    std::size_t column;
};

std::ostream& operator<<(std::ostream& os, const Malformed& m) {
    return os << m.name;
}

class MalformedRecipe : public RecipeFolder, public ::testing::WithParamInterface<Malformed> {};

TEST_P(MalformedRecipe, IsRejectedWithKeyMessageAndPosition) {
    const Malformed& m = GetParam();
    std::string text = k_base_recipe;
    if (!std::string(m.from).empty()) text = replaced(text, m.from, m.to);
    text += m.append;
    auto r = parse(text);
    ASSERT_FALSE(r.has_value()) << "accepted:\n" << text;
    bool found = false;
    for (const auto& d : r.error()) {
        if (d.key == m.key && d.message.find(m.message) != std::string::npos) {
            found = true;
            EXPECT_EQ(d.file, "recipe.toml");
            EXPECT_EQ(d.line, m.line) << d.what();
            EXPECT_EQ(d.column, m.column) << d.what();
        }
    }
    EXPECT_TRUE(found) << "wanted " << m.key << ": " << m.message << "\ngot:\n" << all(r.error());
}

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedRecipe,
    ::testing::Values(
        Malformed{"TomlSyntax", "", "", "dt = \n", "", "TOML syntax", 12, 6},
        Malformed{"UnknownSection", "", "", "[simulatoin]\n", "simulatoin", "did you mean 'simulation'", 12,
                  2},
        Malformed{"UnknownKey", "", "", "tsop = 5.0\n", "simulation.tsop",
                  "unknown key 'tsop' (did you mean 'tstop'?)", 12, 1},
        Malformed{"WrongType", "tstop = 200.0", "tstop = \"200\"", "", "simulation.tstop",
                  "expected a number, found a string", 11, 1},
        Malformed{"ZeroDt", "", "", "dt = 0.0\n", "simulation.dt", "value 0.0 must be greater than 0", 12, 1},
        Malformed{"NegativeDt", "", "", "dt = -0.025\n", "simulation.dt", "must be greater than 0", 12, 1},
        Malformed{"TstopBelowDt", "tstop = 200.0", "tstop = 0.01", "", "simulation.tstop",
                  "tstop (0.01 ms) is shorter than dt (0.025 ms)", 11, 1},
        Malformed{"FastModeWithCvode", "", "", "solver = \"cvode\"\n[simulation.fast]\nsecondorder = 2\n",
                  "simulation.fast", "needs solver = \"fixed\"", 13, 13},
        Malformed{"FastModeWithSecondOrderZero", "", "", "[simulation.fast]\nsecondorder = 0\n",
                  "simulation.fast.secondorder", "must be 1 or 2", 13, 1},
        Malformed{"FastModeWithAnUnknownOption", "", "", "[simulation.fast]\nsecondorde = 2\n",
                  "simulation.fast.secondorde", "did you mean 'secondorder'", 13, 1},
        Malformed{"SynapseActivationOfAStep", "", "",
                  "[input]\nnetwork = \"net.param\"\n[record]\nsynapse_activation = true\n",
                  "record.synapse_activation", "needs protocol evoked or replay", 15, 1},
        Malformed{"ReplayWithModifyFunctions", "\"current_step\"", "\"replay\"",
                  "[input]\nnetwork = \"net.param\"\nreplay = \"activation.csv\"\n[[input.modify]]\n"
                  "function = \"silence_synapses_by_somadist\"\n",
                  "input.modify", "does not apply to a replay", 15, 9},
        Malformed{"NoTrials", "", "", "trials = 0\n", "simulation.trials", "must be at least 1", 12, 1},
        Malformed{"FractionalTrials", "", "", "trials = 2.5\n", "simulation.trials",
                  "expected an integer, found a float", 12, 1},
        Malformed{"UnknownSolver", "", "", "solver = \"cvodes\"\n", "simulation.solver",
                  "unknown value 'cvodes', expected one of fixed, cvode (did you mean 'cvode'?)", 12, 1},
        Malformed{"UnknownProtocol", "\"current_step\"", "\"puls\"", "", "experiment.protocol",
                  "did you mean 'pulse'", 3, 1},
        Malformed{"MissingFile", "\"cell.param\"", "\"nope.param\"", "", "cell.biophysics",
                  "file not found:", 5, 1},
        Malformed{"MissingSection", "[simulation]\ntstop = 200.0\n", "", "", "simulation",
                  "missing required section [simulation]", 0, 0},
        Malformed{"MissingKey", "tstop = 200.0\n", "dt = 0.1\n", "", "simulation",
                  "missing required key 'tstop'", 10, 2},
        Malformed{"RunLengthsWithoutSyn", "", "", "[cell.lengths_of_run]\nactivation = \"cell.param\"\n",
                  "cell.lengths_of_run", "missing required key 'syn'", 12, 7},
        Malformed{"ProbabilityAboveOne", "", "",
                  "[input]\nnetwork = \"net.param\"\nrelease_probability = 1.5\n",
                  "input.release_probability", "is a probability and must lie in [0, 1]", 14, 1},
        Malformed{"NegativeProbability", "", "",
                  "[input]\nnetwork = \"net.param\"\nrelease_probability = -0.1\n",
                  "input.release_probability", "must lie in [0, 1]", 14, 1},
        Malformed{"EmptySweep", "amplitude = 0.5", "amplitude = []", "", "stimulus.step[0].amplitude",
                  "empty sweep", 7, 1},
        Malformed{"NestedSweep", "amplitude = 0.5", "amplitude = [[0.5]]", "",
                  "stimulus.step[0].amplitude[0]", "sweeps are flat lists", 7, 14},
        Malformed{"UnsweepableKey", "", "", "trials = [1, 2]\n", "simulation.trials",
                  "(this key cannot be swept)", 12, 1},
        Malformed{"MisspelledStimulusKey", "amplitude = 0.5", "amplitdue = 0.5", "",
                  "stimulus.step[0].amplitdue", "did you mean 'amplitude'", 7, 1},
        Malformed{"PositionOutsideSection", "duration = 100.0", "duration = 100.0\nsection = 2\nx = 1.5", "",
                  "stimulus.step[0].x", "must lie in [0, 1]", 11, 1},
        Malformed{"TwoLocations", "duration = 100.0", "duration = 100.0\nsection = 2\nsoma_distance = 10.0",
                  "", "stimulus.step[0].section", "either soma_distance or section", 10, 1},
        Malformed{"XWithoutSection", "duration = 100.0", "duration = 100.0\nx = 0.5", "",
                  "stimulus.step[0].x", "x needs section", 10, 1},
        Malformed{"ProtocolWithoutStimulus", "\"current_step\"", "\"pulse\"", "", "experiment.protocol",
                  "protocol pulse needs a [[stimulus.pulse]]", 3, 1},
        Malformed{"ReplayWithoutFile", "\"current_step\"", "\"replay\"", "", "experiment.protocol",
                  "protocol replay needs input.replay", 3, 1},
        Malformed{"EpspRiseAfterDecay", "", "",
                  "[[stimulus.epsp]]\nimax = 0.5\nonset = 1.0\ntau0 = 5.0\ntau1 = 1.0\n",
                  "stimulus.epsp[0].tau0", "tau0 must be shorter than decay tau1", 15, 1},
        Malformed{
            "OverlappingPulses", "", "",
            "[[stimulus.pulse]]\namplitude = 1.0\ndelay = 1.0\nduration = 5.0\ncount = 3\ninterval = 2.0\n",
            "stimulus.pulse[0].interval", "pulses overlap", 17, 1},
        Malformed{"UnknownPlaceholder", "\"cell.param\"", "\"[NOPE]/cell.param\"", "", "cell.biophysics",
                  "unknown placeholder [NOPE]; define it in [paths]", 5, 1},
        Malformed{"MissingPathsFolder", "", "", "[paths]\nX = \"no_such_dir\"\n", "paths.X",
                  "folder not found", 13, 1},
        Malformed{"ZipOfUnequalLists", "amplitude = 0.5\ndelay = 10.0",
                  "amplitude = [0.5, 0.6]\ndelay = [1.0, 2.0, 3.0]",
                  "[sweep.zip]\ns = [\"stimulus.step[0].delay\", \"stimulus.step[0].amplitude\"]\n",
                  "sweep.zip.s[1]", "joins lists of different lengths", 13, 32},
        Malformed{"ZipOfUnknownKey", "amplitude = 0.5", "amplitude = [0.5, 0.6]",
                  "[sweep.zip]\ns = [\"stimulus.step[0].amplitude\", \"stimulus.step[0].amplitud\"]\n",
                  "sweep.zip.s[1]",
                  "unknown key path 'stimulus.step[0].amplitud' (did you mean 'stimulus.step[0].amplitude'?)",
                  13, 36},
        Malformed{"ZipOfUnsweptKey", "", "", "[sweep.zip]\ns = [\"stimulus.step[0].amplitude\"]\n",
                  "sweep.zip.s[0]", "'stimulus.step[0].amplitude' is not swept: give it a list of values", 13,
                  6},
        Malformed{"BadVariableName", "", "", "[record]\nvariables = [\"Ca LVAst\"]\n", "record.variables[0]",
                  "is not a range variable name", 13, 14},
        Malformed{"BadDendriteVariableName", "", "",
                  "[record.dendrites]\nvariables = [\"v\", \"Ca LVAst.ica\"]\n",
                  "record.dendrites.variables[1]", "is not a range variable name", 13, 19},
        Malformed{"UnknownDendriteKey", "", "", "[record.dendrites]\nvariable = [\"v\"]\n",
                  "record.dendrites.variable", "did you mean 'variables'", 13, 1},
        Malformed{"DendriteDtBelowTheStep", "", "", "[record.dendrites]\ndt = 0.01\n", "record.dendrites.dt",
                  "is shorter than the fixed step dt", 13, 1},
        Malformed{"NegativeRootSeed", "", "", "[seeds]\nroot = -1\n", "seeds.root", "must not be negative",
                  13, 1},
        Malformed{"IsfSeedTooLarge", "", "", "[seeds]\nroot = 4294967296\nmode = \"isf\"\n", "seeds.root",
                  "isf mode needs a root seed below 2^32", 13, 1},
        Malformed{"UnknownSeedMode", "", "", "[seeds]\nmode = \"isff\"\n", "seeds.mode", "did you mean 'isf'",
                  13, 1},
        Malformed{"SiteNamedLikeOtherOutputs", "", "",
                  "[[record.site]]\nname = \"dendrites\"\nsoma_distance = 100.0\n", "record.site[0].name",
                  "is taken by other outputs", 13, 1},
        Malformed{"SiteWithoutPlace", "", "", "[[record.site]]\nname = \"a\"\n", "record.site[0]",
                  "needs landmarks or soma_distance", 12, 1},
        Malformed{"StepAsPlainTable", "[[stimulus.step]]", "[stimulus.step]", "", "stimulus.step",
                  "expected an array of tables", 6, 11},
        Malformed{"NetworkAndBuilder", "", "",
                  "[input]\nnetwork = \"net.param\"\n[input.builder]\ntemplate = \"net.param\"\ncell_numbers "
                  "= \"cell.syn\"\nsyn = \"cell.syn\"\ncon = \"cell.con\"\n",
                  "input.builder", "either input.network or input.builder", 14, 8},
        Malformed{"NetworkFileAsCell", "\"cell.param\"", "\"net.param\"", "", "cell.biophysics",
                  "not an ISF cell parameter tree", 5, 1},
        Malformed{"RecordWithoutInput", "", "", "[record]\nsynapse_activation = true\n",
                  "record.synapse_activation", "there is no synaptic input to record", 13, 1},
        Malformed{"BadWhisker", "", "",
                  "[input.builder]\ntemplate = \"net.param\"\ncell_numbers = \"cell.syn\"\nsyn = "
                  "\"cell.syn\"\ncon = \"cell.con\"\nwhisker = \"Z9\"\n",
                  "input.builder.whisker", "is not a whisker name", 17, 1},
        Malformed{"SamplingFasterThanStep", "", "", "[record]\ndt = 0.01\n", "record.dt",
                  "shorter than the fixed step", 13, 1},
        Malformed{"FolderAsFile", "\"cell.param\"", "\".\"", "", "cell.biophysics", "is a folder, not a file",
                  5, 1},
        Malformed{"NonFiniteNumber", "tstop = 200.0", "tstop = inf", "", "simulation.tstop",
                  "must be a finite number", 11, 1}));

TEST_F(RecipeParsing, AParameterFileSyntaxErrorNamesItsOwnPosition) {
    write("bad.param", "{'neuron': {'filename': 'cell.hoc',\n 'x': }\n");
    auto r = parse(replaced(k_base_recipe, "\"cell.param\"", "\"bad.param\""));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().front().key, "cell.biophysics");
    EXPECT_NE(r.error().front().message.find("bad.param:2:7"), std::string::npos) << all(r.error());
}

TEST_F(RecipeParsing, AMissingMorphologyInsideTheParameterFileIsNamed) {
    write("cell2.param", "{'neuron': {'filename': 'gone.hoc'}}");
    auto r = parse(replaced(k_base_recipe, "\"cell.param\"", "\"cell2.param\""));
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().front().message.find("gone.hoc (neuron.filename in cell2.param)"), std::string::npos)
        << all(r.error());
}

TEST(RecipeExamples, EveryShippedExampleValidates) {
    const std::filesystem::path dir = std::filesystem::path(SILICO_SOURCE_DIR) / "recipes/examples";
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".toml") continue;
        ++count;
        auto r = load_recipe(entry.path());
        EXPECT_TRUE(r.has_value()) << entry.path() << "\n" << (r ? "" : to_error(r.error()).message);
    }
    EXPECT_GE(count, 5u);
}

}  // namespace
}  // namespace silico::recipes::testing
