# The trial pipeline (experiments/trial.hpp): serialisation and Model build/run in NEURON.
silico_test(experiments_trial_test NEURON
  SOURCES trial_test.cpp
  LIBS silico_experiments silico_recipes silico_store)

# Evoked and replay trials on cell 86 through the pipeline (LONG SIMULATION TEST: one 345 ms replay and a few
# 50-60 ms trials, ~30 s).
silico_test(experiments_network_trial_test NEURON
  SOURCES network_trial_test.cpp
  LIBS silico_experiments silico_recipes silico_store fmt::fmt)
