# The trial pipeline (experiments/trial.hpp): serialisation and Model build/run in NEURON.
silico_test(experiments_trial_test NEURON
  SOURCES trial_test.cpp
  LIBS silico_experiments silico_recipes silico_store)
