# Sources of the 'network' area of silico_experiments: the NEURON side of synaptic input (see CMakeLists.txt).
list(APPEND SILICO_EXPERIMENTS_INPUT_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/network_model.cpp)
