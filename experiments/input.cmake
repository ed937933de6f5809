# Sources of the 'input' area of silico_experiments (see CMakeLists.txt).
list(APPEND SILICO_EXPERIMENTS_INPUT_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/input_text.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/isf_random.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/anatomy.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/network.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/network_builder.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/activity.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/network_modify.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/simrun_files.cpp)
