# Sources of the 'cell' area of silico_experiments (see CMakeLists.txt).
list(APPEND SILICO_EXPERIMENTS_CELL_SOURCES)
