# Checks that silico's libraries depend on each other only downwards (ARCHITECTURE.md, "Who may use whom"):
# every `#include "silico/<library>/..."` in a library's sources and headers must name the library itself or
# one it may use, only silico_neuron's sources include NEURON's headers, and no public header includes
# RocksDB, libgit2, OpenSSL or NEURON. Run as `cmake -DROOT=<tree> -P check_layering.cmake`; it fails with
# one line per violation.
cmake_minimum_required(VERSION 3.25)
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source tree> -P check_layering.cmake")
endif()

# folder of a library -> the include prefixes it may use (besides its own)
set(layers
  "core|core"
  "store|core store"
  "recipes|core recipes"
  "experiments/model|core recipes model"
  "experiments/neuron|core recipes model neuron"
  "experiments/trial|core recipes store model neuron trial"
  "analysis|core recipes store model analysis"
  "python|core recipes store analysis"
  "sharing|core store sharing"
  "report|core recipes store analysis report")
set(private_headers "rocksdb/" "git2" "openssl/" "hocdec.h" "nrnoc" "neuron/" "ocfunc.h" "section.h")

set(violations "")
foreach(layer IN LISTS layers)
  string(REPLACE "|" ";" parts "${layer}")
  list(GET parts 0 folder)
  list(GET parts 1 allowed)
  string(REPLACE " " ";" allowed "${allowed}")
  file(GLOB_RECURSE files "${ROOT}/${folder}/*.cpp" "${ROOT}/${folder}/*.hpp" "${ROOT}/${folder}/*.h")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    file(RELATIVE_PATH rel "${ROOT}" "${file}")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*" "\\1" header "${line}")
      if(header MATCHES "^silico/([a-z_]+)/")
        set(used "${CMAKE_MATCH_1}")
        if(NOT used IN_LIST allowed)
          list(JOIN allowed ", " allowed_text)
          string(APPEND violations "${rel}: includes ${header}; ${folder} may use only ${allowed_text}\n")
        endif()
      endif()
      if(NOT folder STREQUAL "experiments/neuron" AND header MATCHES "^(hocdec|nrn|ocfunc|section|neuron/)")
        string(APPEND violations "${rel}: includes NEURON's ${header}; only experiments/neuron may\n")
      endif()
      if(rel MATCHES "/include/silico/")
        foreach(hidden IN LISTS private_headers)
          string(FIND "${header}" "${hidden}" at)
          if(at EQUAL 0)
            string(APPEND violations "${rel}: a public header includes ${header}\n")
          endif()
        endforeach()
      endif()
    endforeach()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "layering violations:\n${violations}")
endif()
message(STATUS "layering: every include follows ARCHITECTURE.md")
