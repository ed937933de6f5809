# Sources of the 'cell' area of silico_experiments (see CMakeLists.txt).
list(APPEND SILICO_EXPERIMENTS_CELL_SOURCES
  src/morphology.cpp
  src/hoc_reader.cpp
  src/swc_reader.cpp
  src/landmark_reader.cpp
  src/biophysics.cpp
  src/cell_model.cpp
  src/cell_modify.cpp
  src/cell_hoc.cpp
  src/cell_neuron.cpp
  src/example_cell.cpp
  src/example_network.cpp)
