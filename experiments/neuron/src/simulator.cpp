// The embedded NEURON interpreter. This is the one source file that includes NEURON's hoc headers (they
// define short macros such as getarg and Printf that must not leak anywhere else).
#include "silico/neuron/simulator.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <hocdec.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

// libnrniv exports these with C++ linkage and declares them in no installed header.
int ivocmain_session(int argc, const char** argv, const char** env, int start_session);
char* nrn_version(int kind);

extern "C" {
extern int nrn_main_launch;
extern int nrn_noauto_dlopen_nrnmech;
}

#ifndef SILICO_NEURON_HOC_DIR
#define SILICO_NEURON_HOC_DIR "/usr/share/nrn/lib/hoc"
#endif

namespace silico::experiments {
namespace {

// Upper bound on the hoc standard output kept for take_output(): a runaway print loop must not eat memory.
constexpr std::size_t k_max_output = 1 << 20;

// Temporarily points a standard stream's file descriptor at a memory file, so hoc's printed text (errors on
// stderr, `print` output on stdout) can be read back. NEURON 8.2 writes both with plain stdio and offers no
// working hook without Python.
class Capture {
  public:
    explicit Capture(int fd) : m_fd(fd) {}
    ~Capture() {
        if (m_file >= 0) close(m_file);
    }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    bool open(const char* name) {
        m_file = memfd_create(name, MFD_CLOEXEC);
        return m_file >= 0;
    }
    void begin() {
        flush();
        m_saved = dup(m_fd);
        // Without a saved copy the stream could not be restored: then leave it uncaptured.
        if (m_saved >= 0) dup2(m_file, m_fd);
    }
    // Restores the stream and returns what was written while it was captured.
    std::string end() {
        flush();
        if (m_saved >= 0) {
            dup2(m_saved, m_fd);
            close(m_saved);
            m_saved = -1;
        }
        std::string text;
        struct stat info {};
        if (fstat(m_file, &info) != 0 || info.st_size <= 0) return text;
        text.resize(static_cast<std::size_t>(info.st_size));
        const ssize_t got = pread(m_file, text.data(), text.size(), 0);
        text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
        // Empty the file for the next capture (only when something was written: most calls print nothing).
        if (ftruncate(m_file, 0) != 0 || lseek(m_file, 0, SEEK_SET) != 0)
            text += "\n(silico: could not reset the capture file)";
        return text;
    }

  private:
    void flush() const { std::fflush(m_fd == STDOUT_FILENO ? stdout : stderr); }

    int m_fd;
    int m_file = -1;
    int m_saved = -1;
};

struct State {
    Capture out{STDOUT_FILENO};
    Capture err{STDERR_FILENO};
    std::string output;
    short objref_type = -1;  // the hoc symbol type of an object reference
};

State& state() {
    static State s;
    return s;
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// Runs hoc with both streams captured. Returns NEURON's error text on failure.
Status run_hoc(std::string_view code) {
    State& s = state();
    std::string text(code);
    if (text.empty() || text.back() != '\n') text.push_back('\n');
    s.out.begin();
    s.err.begin();
    const int rc = hoc_oc(text.c_str());
    std::string err = s.err.end();
    std::string out = s.out.end();
    if (s.output.size() < k_max_output) s.output += out.substr(0, k_max_output - s.output.size());
    if (rc != 0) {
        std::string message = trimmed(std::move(err));
        if (message.empty()) message = "hoc error (NEURON printed no message)";
        return fail(Errc::neuron, std::move(message));
    }
    // Warnings printed without failing still belong on stderr.
    if (!err.empty()) std::fputs(err.c_str(), stderr);
    return {};
}

// Splits "name[12]" into ("name", 12); a plain name has no index.
struct VectorName {
    std::string base;
    std::optional<int> index;
};

Result<VectorName> parse_vector_name(std::string_view name) {
    VectorName parsed;
    const std::size_t open = name.find('[');
    if (open == std::string_view::npos) {
        parsed.base = std::string(name);
        return parsed;
    }
    parsed.base = std::string(name.substr(0, open));
    int index = -1;
    const std::string_view digits = name.substr(open + 1, name.size() - open - 2);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (name.back() != ']' || digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
        index < 0)
        return fail(Errc::invalid_argument, fmt::format("'{}' is not a Vector name or name[index]", name));
    parsed.index = index;
    return parsed;
}

Result<Object*> find_vector(std::string_view name) {
    auto parsed = parse_vector_name(name);
    if (!parsed) return std::unexpected(parsed.error());
    const std::string key(name);
    Symbol* sym = hoc_lookup(parsed->base.c_str());
    if (!sym) return fail(Errc::not_found, fmt::format("no hoc variable named '{}'", parsed->base));
    if (sym->type != state().objref_type)
        return fail(Errc::invalid_argument, fmt::format("hoc variable '{}' is not an object reference", key));
    int index = 0;
    if (ISARRAY(sym)) {
        // A top-level objref array keeps its current dimensions beside its data (it can be redeclared).
        const Arrayinfo* info = hoc_top_level_data[sym->u.oboff + 1].arayinfo;
        if (!parsed->index || info->nsub != 1 || *parsed->index >= info->sub[0])
            return fail(Errc::invalid_argument,
                        fmt::format("'{}' does not name an element of the one-dimensional objref array '{}'",
                                    key, parsed->base));
        index = *parsed->index;
    } else if (parsed->index) {
        return fail(Errc::invalid_argument, fmt::format("hoc objref '{}' is not an array", parsed->base));
    }
    Object* object = hoc_top_level_data[sym->u.oboff].pobj[index];
    if (!object) return fail(Errc::invalid_argument, fmt::format("hoc objref '{}' refers to no object", key));
    if (std::strcmp(object->ctemplate->sym->name, "Vector") != 0)
        return fail(Errc::invalid_argument,
                    fmt::format("hoc objref '{}' is a {}, not a Vector", key, object->ctemplate->sym->name));
    return object;
}

Result<Simulator*> initialise(Simulator* simulator) {
    State& s = state();
    if (!s.out.open("silico-hoc-stdout") || !s.err.open("silico-hoc-stderr"))
        return fail(Errc::io,
                    fmt::format("cannot create memory files for NEURON's output: {}", std::strerror(errno)));
    // Without these NEURON would load whatever x86_64/libnrnmech.so the working directory holds; silico's
    // mechanisms are linked into the executable and registered through modl_reg().
    nrn_main_launch = 1;
    nrn_noauto_dlopen_nrnmech = 1;
    static const char* argv[] = {"silico", "-nogui", "-nobanner", "-nopython", nullptr};
    static const char* env[] = {nullptr};
    s.err.begin();
    const int rc = ivocmain_session(4, argv, env, 0);
    std::string err = s.err.end();
    if (rc != 0) return fail(Errc::neuron, "NEURON failed to initialise: " + trimmed(std::move(err)));

    const std::string stdrun = SILICO_NEURON_HOC_DIR "/stdrun.hoc";
    if (auto loaded = run_hoc(fmt::format("{{load_file(\"{}\")}}", stdrun)); !loaded)
        return std::unexpected(loaded.error().within("loading " + stdrun));
    // load_file() reports a missing file by returning 0, not by failing.
    if (auto ok = run_hoc("{hoc_ac_ = name_declared(\"stdinit\")}"); !ok || hoc_ac_ == 0)
        return fail(Errc::neuron, "stdrun.hoc did not load (stdinit is undefined)", stdrun);
    if (auto declared = run_hoc("objref silico_objref_probe_"); !declared)
        return std::unexpected(declared.error());
    s.objref_type = hoc_lookup("silico_objref_probe_")->type;
    return simulator;
}

}  // namespace

Result<Simulator*> Simulator::instance() {
    static Simulator simulator;
    static const Result<Simulator*> ready = initialise(&simulator);
    return ready;
}

Status Simulator::hoc(std::string_view code) {
    return run_hoc(code);
}

Result<double> Simulator::eval(std::string_view expression) {
    if (auto ok = run_hoc(fmt::format("{{hoc_ac_ = ({})}}", expression)); !ok)
        return std::unexpected(ok.error().within(fmt::format("evaluating '{}'", expression)));
    return hoc_ac_;
}

Result<std::vector<double>> Simulator::read_vector(std::string_view name) {
    auto object = find_vector(name);
    if (!object) return std::unexpected(object.error());
    auto* vector = static_cast<IvocVect*>((*object)->u.this_pointer);
    const int size = vector_capacity(vector);
    const double* data = vector_vec(vector);
    return std::vector<double>(data, data + size);
}

Status Simulator::write_vector(std::string_view name, std::span<const double> data) {
    auto object = find_vector(name);
    if (!object) return std::unexpected(object.error());
    auto* vector = static_cast<IvocVect*>((*object)->u.this_pointer);
    vector_resize(vector, static_cast<int>(data.size()));
    // The data pointer is taken after the resize, which may reallocate.
    if (!data.empty()) std::copy(data.begin(), data.end(), vector_vec(vector));
    return {};
}

std::string Simulator::take_output() {
    return std::exchange(state().output, {});
}

std::string Simulator::version() {
    return nrn_version(0);
}

}  // namespace silico::experiments
