// The one NEURON interpreter of this process, behind a small interface.
//
// NEURON's interpreter is global state: one per process, initialised once, not thread-safe. Everything in
// silico that touches NEURON goes through Simulator, so hoc never leaks into the rest of the code.
// Implementation notes (Debian NEURON 8.2.2 traps, the embedding sequence) are in docs/neuron.md.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments {

class Simulator {
  public:
    // Initialises NEURON on first call (-nogui -nobanner -nopython, built-in mechanisms only: silico's own
    // mechanisms are linked in), loads stdrun.hoc, and returns the process-wide instance.
    static Result<Simulator*> instance();

    // Runs hoc statements. A hoc error becomes Errc::neuron with NEURON's message; the interpreter stays
    // usable.
    Status hoc(std::string_view code);
    // Evaluates a hoc expression to a number.
    Result<double> eval(std::string_view expression);

    // Copies a top-level hoc Vector out of / into NEURON memory. `name` is an objref ("spikes") or an element
    // of a one-dimensional objref array ("inputs[12]"): for thousands of Vectors use an array, because hoc
    // looks names up in a list, so thousands of separate names make every lookup slow.
    Result<std::vector<double>> read_vector(std::string_view name);
    // Resizes the Vector to data.size() and copies data in. An empty span is allowed (NEURON's own
    // empty-Vector I/O aborts, this never calls it).
    Status write_vector(std::string_view name, std::span<const double> data);

    // Returns and clears what hoc printed to standard output since the last call (`print`, printf, echoed
    // expression values). hoc never writes to the process's real stdout, which a worker may use for its
    // protocol; hoc's error text goes into the Error instead.
    std::string take_output();

    // NEURON's version string, e.g. "8.2.2". Needs no initialised interpreter.
    static std::string version();

    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

  private:
    Simulator() = default;
};

}  // namespace silico::experiments
