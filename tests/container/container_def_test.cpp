// container/silico.def builds the image with exactly the set-up scripts the README documents, in the same
// order, and container/build-rootfs.sh runs the def's own sections (docs/container.md).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace silico {
namespace {

namespace fs = std::filesystem;
const fs::path k_source = SILICO_SOURCE_DIR;

std::vector<std::string> lines_of(const fs::path& file) {
    std::ifstream in(file);
    EXPECT_TRUE(in.good()) << file;
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// The def file's header keys ("Bootstrap", "From") and its sections ("%post" -> lines).
struct DefFile {
    std::map<std::string, std::string> header;
    std::map<std::string, std::vector<std::string>> sections;
};

DefFile parse_def(const fs::path& file) {
    DefFile def;
    std::string section;
    for (const auto& line : lines_of(file)) {
        if (line.starts_with("#")) continue;
        if (line.starts_with("%")) {
            section = line.substr(0, line.find_first_of(" \t"));
            def.sections[section];
            continue;
        }
        if (section.empty()) {
            if (auto colon = line.find(':'); colon != std::string::npos) {
                const auto value = line.substr(colon + 1);
                def.header[line.substr(0, colon)] = value.substr(value.find_first_not_of(" \t"));
            }
            continue;
        }
        if (line.find_first_not_of(" \t") != std::string::npos) def.sections[section].push_back(line);
    }
    return def;
}

// The scripts/*.sh that `lines` run, in order of first appearance (a script called twice counts once).
std::vector<std::string> scripts_run(const std::vector<std::string>& lines) {
    static const std::regex script(R"((?:^|[\s=/])(scripts/[A-Za-z0-9_-]+\.sh)\b)");
    std::vector<std::string> out;
    for (const auto& line : lines) {
        const auto code = line.substr(0, line.find('#'));
        for (std::sregex_iterator it(code.begin(), code.end(), script), end; it != end; ++it) {
            const std::string name = (*it)[1];
            if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
        }
    }
    return out;
}

// The lines of the first ```sh block after the README heading `heading`.
std::vector<std::string> readme_block(const std::string& heading) {
    std::vector<std::string> out;
    bool in_section = false, in_block = false;
    for (const auto& line : lines_of(k_source / "README.md")) {
        if (line.starts_with("## ")) in_section = line == heading;
        if (!in_section) continue;
        if (line.starts_with("```")) {
            if (in_block) break;
            in_block = line == "```sh";
            continue;
        }
        if (in_block) out.push_back(line);
    }
    return out;
}

TEST(ContainerDef, StartsFromDebian12AndRunsSilico) {
    const auto def = parse_def(k_source / "container/silico.def");
    EXPECT_EQ(def.header.at("Bootstrap"), "docker");
    EXPECT_EQ(def.header.at("From"), "debian:12");
    ASSERT_TRUE(def.sections.contains("%runscript"));
    EXPECT_NE(def.sections.at("%runscript").at(0).find("exec /usr/local/bin/silico \"$@\""),
              std::string::npos);
    ASSERT_TRUE(def.sections.contains("%test"));
    EXPECT_NE(def.sections.at("%test").at(0).find("/usr/local/bin/silico --version"), std::string::npos);
}

TEST(ContainerDef, PostRunsExactlyTheReadmesSetUpScriptsInTheReadmesOrder) {
    const auto def = parse_def(k_source / "container/silico.def");
    const auto post = scripts_run(def.sections.at("%post"));
    // The README's set-up: "Building by hand" without its test runner.
    auto readme = scripts_run(readme_block("## Building by hand"));
    std::erase(readme, "scripts/test.sh");
    ASSERT_FALSE(readme.empty()) << "README has no \"## Building by hand\" block naming scripts";
    EXPECT_EQ(post, readme);
    EXPECT_EQ(post, (std::vector<std::string>{"scripts/install-deps.sh", "scripts/build.sh"}));
    for (const auto& script : post) {
        struct stat st {};
        ASSERT_EQ(::stat((k_source / script).c_str(), &st), 0) << script;
        EXPECT_TRUE(st.st_mode & S_IXUSR) << script << " is not executable";
    }
    // The image installs what it builds: the build folder of build.sh's BUILD_DIR.
    std::string build_dir;
    for (const auto& line : def.sections.at("%post")) {
        std::smatch m;
        if (std::regex_search(line, m, std::regex(R"(BUILD_DIR=(\S+) scripts/build\.sh)"))) build_dir = m[1];
    }
    ASSERT_FALSE(build_dir.empty());
    bool installs = false;
    for (const auto& line : def.sections.at("%post"))
        installs =
            installs || line.find(build_dir + "/runner/silico /usr/local/bin/silico") != std::string::npos;
    EXPECT_TRUE(installs) << "%post does not install " << build_dir << "/runner/silico";
}

TEST(ContainerDef, TheRootfsScriptRunsTheDefsOwnSectionsNotACopyOfThem) {
    std::ifstream in(k_source / "container/build-rootfs.sh");
    std::ostringstream text;
    text << in.rdbuf();
    const std::string script = text.str();
    for (const char* section : {"section files", "section environment", "section post", "section test"})
        EXPECT_NE(script.find(section), std::string::npos) << section;
    EXPECT_EQ(script.find("install-deps.sh\n"), std::string::npos)
        << "the script must not call the set-up itself";
    EXPECT_NE(script.find("debootstrap --variant=minbase bookworm"), std::string::npos);
}

}  // namespace
}  // namespace silico
