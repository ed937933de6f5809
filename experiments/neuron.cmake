# Sources of the 'neuron' area of silico_experiments (see CMakeLists.txt): the embedded simulator,
# protocols and recordings.
set(SILICO_EXPERIMENTS_NEURON_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/simulator.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/protocol.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/checkpoint.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/recording.cpp)

# stdrun.hoc ships with NEURON; the core never reads the environment (NEURONHOME), so the build finds it.
find_path(NEURON_HOC_DIR stdrun.hoc PATHS /usr/share/nrn/lib/hoc NO_DEFAULT_PATH REQUIRED)
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/src/simulator.cpp PROPERTIES
  COMPILE_DEFINITIONS SILICO_NEURON_HOC_DIR="${NEURON_HOC_DIR}")
