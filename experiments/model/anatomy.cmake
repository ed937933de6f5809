# The anatomy mapper (issue 16, docs/anatomy.md): ISF's barrel-cortex layout, AmiraMesh lattices, synapse
# mapping and its ISF-format files, the synthetic barrel-cortex data set. Part of silico_model (NEURON-free).
target_sources(silico_model PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/anatomy/amira_mesh.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/anatomy/barrel_cortex.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/anatomy/synapse_mapper.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/anatomy/realisation.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/anatomy/anatomy_writer.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/anatomy/synthetic_barrel_cortex.cpp)
