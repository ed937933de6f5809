// A deliberate violation for tests/architecture: a model source that reaches up into silico_neuron.
#include "silico/neuron/simulator.hpp"
