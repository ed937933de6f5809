# `silico run / plan / status / runs` through the real executable (run_command_test.cpp); includes the
# LONG kill test (about a minute).
silico_test(runner_pipeline_test
  SOURCES run_command_test.cpp
  LIBS silico_runner_exec silico_store nlohmann_json::nlohmann_json)
target_include_directories(runner_pipeline_test PRIVATE ${PROJECT_SOURCE_DIR}/runner/src)
target_compile_definitions(runner_pipeline_test PRIVATE SILICO_EXE="$<TARGET_FILE:silico>")
add_dependencies(runner_pipeline_test silico)

# `silico run` of a 2-trial evoked recipe on cell 86 with ISF's network, then again all cached (LONG
# SIMULATION TEST, ~15 s).
silico_test(runner_network_run_test
  SOURCES network_run_test.cpp
  LIBS silico_runner_exec silico_store nlohmann_json::nlohmann_json)
target_include_directories(runner_network_run_test PRIVATE ${PROJECT_SOURCE_DIR}/runner/src)
target_compile_definitions(runner_network_run_test PRIVATE SILICO_EXE="$<TARGET_FILE:silico>")
add_dependencies(runner_network_run_test silico)
