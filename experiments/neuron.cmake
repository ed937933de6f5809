# Sources of the 'neuron' area of silico_experiments (see CMakeLists.txt).
list(APPEND SILICO_EXPERIMENTS_NEURON_SOURCES)
