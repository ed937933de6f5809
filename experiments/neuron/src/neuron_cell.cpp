// NeuronCell: a CellModel built in the process's NEURON through the Simulator.
#include "silico/neuron/neuron_cell.hpp"

#include <fmt/format.h>

#include <atomic>
#include <utility>

#include "silico/neuron/simulator.hpp"

namespace silico::experiments {

namespace {

std::atomic<int> g_next_cell{0};

}  // namespace

Result<NeuronCell> NeuronCell::instantiate(Simulator& simulator, const CellModel& model) {
    NeuronCell cell;  // m_simulator is set once the sections exist, so a failure before deletes nothing
    cell.m_prefix = fmt::format("silico_cell{}", g_next_cell++);
    cell.m_model = std::make_shared<const CellModel>(model);
    const auto program = hoc_program(model, cell.m_prefix, true);
    const std::string v(k_pt3d_vectors);
    if (auto s = simulator.hoc(
            fmt::format("objref {0}x, {0}y, {0}z, {0}d\n{{{0}x = new Vector()  {0}y = new Vector()  "
                        "{0}z = new Vector()  {0}d = new Vector()}}\n",
                        v));
        !s)
        return std::unexpected(s.error());
    const auto& sections = model.sections();
    std::vector<double> column;
    auto write_points = [&](const CellSection& section) -> Status {
        for (const auto& [suffix, member] : {std::pair{"x", &Point3d::x}, std::pair{"y", &Point3d::y},
                                             std::pair{"z", &Point3d::z}, std::pair{"d", &Point3d::d}}) {
            column.clear();
            for (const auto& p : section.points) column.push_back(p.*member);
            if (auto s = simulator.write_vector(v + suffix, column); !s) return s;
        }
        return {};
    };
    for (std::size_t i = 0; i < program.size(); ++i) {
        if (i >= 1 && i <= sections.size()) {
            if (auto s = write_points(sections[i - 1]); !s)
                return std::unexpected(s.error().within("building cell " + cell.m_prefix));
        }
        if (auto s = simulator.hoc(program[i]); !s)
            return std::unexpected(s.error().within("building cell " + cell.m_prefix));
        if (i == 0) cell.m_simulator = &simulator;
    }
    return cell;
}

NeuronCell::NeuronCell(NeuronCell&& other) noexcept
    : m_simulator(std::exchange(other.m_simulator, nullptr)),
      m_prefix(std::move(other.m_prefix)),
      m_model(std::move(other.m_model)) {}

NeuronCell& NeuronCell::operator=(NeuronCell&& other) noexcept {
    if (this != &other) {
        release();
        m_simulator = std::exchange(other.m_simulator, nullptr);
        m_prefix = std::move(other.m_prefix);
        m_model = std::move(other.m_model);
    }
    return *this;
}

NeuronCell::~NeuronCell() {
    release();
}

void NeuronCell::release() noexcept {
    if (!m_simulator || !m_model) return;
    // Sections of a deleted cell must not take part in later simulations of this process.
    (void)m_simulator->hoc(fmt::format("{{for silico_del_i = 0, {} {}[silico_del_i] delete_section()}}\n",
                                       m_model->sections().size() - 1, m_prefix));
    m_simulator = nullptr;
}

std::string NeuronCell::hoc_name(int section_id) const {
    return fmt::format("{}[{}]", m_prefix, section_id);
}

Result<std::vector<std::vector<double>>> NeuronCell::segment_areas() const {
    const std::string vec = m_prefix + "_areas";
    if (auto s = m_simulator->hoc(fmt::format("objref {}\n{{{} = new Vector()}}\n"
                                              "{{for silico_area_i = 0, {} {}[silico_area_i] for (x, 0) "
                                              "{}.append(area(x))}}\n",
                                              vec, vec, m_model->sections().size() - 1, m_prefix, vec));
        !s)
        return std::unexpected(s.error());
    auto flat = m_simulator->read_vector(vec);
    if (!flat) return std::unexpected(flat.error());
    std::vector<std::vector<double>> out;
    std::size_t k = 0;
    for (const auto& s : m_model->sections()) {
        if (k + static_cast<std::size_t>(s.nseg) > flat->size())
            return fail(Errc::internal, "NEURON returned fewer segment areas than the model has segments");
        out.emplace_back(flat->begin() + static_cast<std::ptrdiff_t>(k),
                         flat->begin() + static_cast<std::ptrdiff_t>(k + s.nseg));
        k += static_cast<std::size_t>(s.nseg);
    }
    return out;
}

Result<std::map<std::string, double>> NeuronCell::label_areas() const {
    auto areas = segment_areas();
    if (!areas) return std::unexpected(areas.error());
    std::map<std::string, double> out;
    for (const auto& s : m_model->sections())
        for (double a : (*areas)[static_cast<std::size_t>(s.id)]) out[s.label] += a;
    return out;
}

}  // namespace silico::experiments
