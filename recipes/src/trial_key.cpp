#include "silico/recipes/trial_key.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "silico/core/git_info.hpp"

namespace silico::recipes {

namespace fs = std::filesystem;

namespace {

void put_be(std::string& out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

KeyBuilder::KeyBuilder(std::string_view format) {
    add("key-format", format);
}

KeyBuilder& KeyBuilder::add(std::string_view tag, std::string_view value) {
    std::string header;
    put_be(header, tag.size(), 4);
    header += tag;
    put_be(header, value.size(), 8);
    m_hash.update(header);
    m_hash.update(value);
    return *this;
}

KeyBuilder& KeyBuilder::add(std::string_view tag, const Digest& value) {
    return add(tag, value.view());
}

KeyBuilder& KeyBuilder::add(std::string_view tag, std::uint64_t value) {
    std::string bytes;
    put_be(bytes, value, 8);
    return add(tag, std::string_view(bytes));
}

Digest KeyBuilder::finish() {
    return m_hash.finish();
}

ModelVersion read_model_version(const fs::path& source_dir) {
    ModelVersion v;
    if (!source_dir.empty()) {
        if (auto state = read_git_state(source_dir, {"experiments", "mechanisms"})) {
            const auto& e = state->paths["experiments"];
            const auto& m = state->paths["mechanisms"];
            v.experiments_tree = e.tree_id;
            v.mechanisms_tree = m.tree_id;
            if (!e.uncommitted_digest.empty() || !m.uncommitted_digest.empty()) {
                v.uncommitted_digest = e.uncommitted_digest + m.uncommitted_digest;
            }
            v.dirty_files = e.dirty_files;
            v.dirty_files.insert(v.dirty_files.end(), m.dirty_files.begin(), m.dirty_files.end());
            v.source = "git " + source_dir.string();
            return v;
        }
    }
    const BuildInfo& info = build_info();
    v.experiments_tree = info.experiments_tree;
    v.mechanisms_tree = info.mechanisms_tree;
    v.uncommitted_digest = info.model_dirty_digest;
    v.source = "build";
    return v;
}

Result<std::vector<MechanismFile>> read_mechanism_files(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return fail(Errc::not_found, "mechanism folder not found", dir.string());
    std::vector<MechanismFile> files;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        const auto extension = it->path().extension();
        if (!it->is_regular_file() || (extension != ".mod" && extension != ".h")) continue;
        std::ifstream in(it->path(), std::ios::binary);
        if (!in) return fail(Errc::io, "cannot read mechanism", it->path().string());
        std::ostringstream text;
        text << in.rdbuf();
        files.push_back({it->path().lexically_relative(dir).generic_string(), text.str()});
    }
    if (ec) return fail(Errc::io, "cannot list mechanisms: " + ec.message(), dir.string());
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return files;
}

Digest mechanism_set_digest(std::vector<MechanismFile> files) {
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    KeyBuilder key("silico.mechanism-set.v1");
    key.add("count", static_cast<std::uint64_t>(files.size()));
    for (const auto& f : files) {
        key.add("name", f.name);
        key.add("content", f.content);
    }
    return key.finish();
}

Result<KeyContext> make_key_context(const fs::path& source_dir, std::string neuron_version,
                                    bool require_clean, std::vector<std::string>* warnings) {
    KeyContext context;
    context.neuron_version = std::move(neuron_version);
    context.model = read_model_version(source_dir);
    if (context.model.dirty()) {
        std::string files;
        for (const auto& f : context.model.dirty_files) files += (files.empty() ? "" : ", ") + f;
        if (require_clean) {
            return fail(Errc::validation,
                        "model code has uncommitted changes (" + (files.empty() ? "at build time" : files) +
                            "); commit them or drop --require-clean",
                        context.model.source);
        }
        if (warnings) {
            warnings->push_back("model code has uncommitted changes (" +
                                (files.empty() ? "at build time" : files) +
                                "): trial keys include their digest, results cannot be traced to a commit");
        }
    }
    auto files = read_mechanism_files(source_dir / "mechanisms");
    if (!files) return std::unexpected(files.error());
    context.mechanisms = mechanism_set_digest(std::move(*files));
    return context;
}

Digest model_key(const KeyContext& c) {
    return KeyBuilder(k_model_key_format)
        .add("mechanisms", c.mechanisms)
        .add("neuron-version", c.neuron_version)
        .add("experiments-tree", c.model.experiments_tree)
        .add("mechanisms-tree", c.model.mechanisms_tree)
        .add("uncommitted", c.model.uncommitted_digest)
        .finish();
}

}  // namespace silico::recipes
