# `silico run / plan / status / runs` through the real executable (run_command_test.cpp); includes the
# LONG kill test (about a minute).
silico_runner_test(runner_pipeline_test
  SOURCES run_command_test.cpp
  LIBS silico_runner_exec silico_store nlohmann_json::nlohmann_json)

# `silico run` of a 2-trial evoked recipe on cell 86 with ISF's network, then again all cached (LONG
# SIMULATION TEST, ~15 s).
silico_runner_test(runner_network_run_test
  SOURCES network_run_test.cpp
  LIBS silico_runner_exec silico_store nlohmann_json::nlohmann_json)
