// A CellModel built in NEURON: the hoc program that creates it, and the instantiated cell whose sections
// protocols, recordings and synapses address.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/cell_model.hpp"
#include "silico/neuron/recording.hpp"

namespace silico::experiments {

class Simulator;

// The hoc statements that create a model in NEURON, in the order they must run: one chunk creates the
// section array, then one chunk per section (geometry, nseg, properties, mechanisms and values, ions), one
// for connections, spine corrections, the modify functions' diameters, and mech_globals. `prefix` names the
// section array (`<prefix>[id]`). With points_in_vectors, section i's chunk (program[i + 1]) takes its 3D
// points from the hoc Vectors named k_pt3d_vectors + "x", "y", "z", "d", which the caller fills with that
// section's points first (NeuronCell does, through Simulator::write_vector): NEURON gets the same doubles
// without parsing one pt3dadd statement per point.
inline constexpr std::string_view k_pt3d_vectors = "silico_pt3d_";
std::vector<std::string> hoc_program(const CellModel& cell, std::string_view prefix,
                                     bool points_in_vectors = false);

// A CellModel built in NEURON. Sections are the hoc array `<prefix>[id]`, one prefix per cell in the process.
class NeuronCell {
  public:
    // Builds the cell in `simulator` through hoc_program().
    static Result<NeuronCell> instantiate(Simulator& simulator, const CellModel& cell);

    NeuronCell(NeuronCell&&) noexcept;
    NeuronCell& operator=(NeuronCell&&) noexcept;
    NeuronCell(const NeuronCell&) = delete;
    NeuronCell& operator=(const NeuronCell&) = delete;
    // Deletes the sections from NEURON.
    ~NeuronCell();

    // hoc name of a section, e.g. "silico_cell0[38]"; address a point as "<name>(x)" or "<name> { ... }".
    std::string hoc_name(int section_id) const;
    // A protocol/recording location (hoc name + x) for a section and x, or for a SegmentLocation.
    Location location(int section_id, double x) const { return {hoc_name(section_id), x}; }
    Location location(const SegmentLocation& site) const { return location(site.section_id, site.x); }
    const std::string& prefix() const { return m_prefix; }
    const CellModel& model() const { return *m_model; }

    // NEURON's area(x) of every segment: areas[section][segment], µm².
    Result<std::vector<std::vector<double>>> segment_areas() const;
    // Sum of segment areas per label (ISF's sec.area summed), µm².
    Result<std::map<std::string, double>> label_areas() const;

  private:
    NeuronCell() = default;
    void release() noexcept;  // deletes the sections (once)
    Simulator* m_simulator = nullptr;
    std::string m_prefix;
    std::shared_ptr<const CellModel> m_model;
};

}  // namespace silico::experiments
