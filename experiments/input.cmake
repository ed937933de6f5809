# Sources of the 'input' area of silico_experiments (see CMakeLists.txt).
list(APPEND SILICO_EXPERIMENTS_INPUT_SOURCES)
