# Sources of the 'pipeline' area of silico_experiments (see CMakeLists.txt): recipe condition + trial ->
# cell and protocol in NEURON -> named output arrays (trial.hpp).
set(SILICO_EXPERIMENTS_PIPELINE_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/trial.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/network_trial.cpp)
