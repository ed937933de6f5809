# Every dependency comes from a Debian 12 package (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(RocksDB REQUIRED)
# Every target links RocksDB's shared library: Debian's librocksdb.a is not position-independent, so the
# Python module (python/, a shared object) cannot contain it, and one form everywhere keeps one copy of RocksDB
# in each process (a test that links it directly besides silico_store, too).
add_library(silico_rocksdb INTERFACE)
target_link_libraries(silico_rocksdb INTERFACE RocksDB::rocksdb-shared)
find_package(Eigen3 REQUIRED NO_MODULE)
find_package(Boost 1.74 REQUIRED COMPONENTS filesystem)
find_package(HDF5 REQUIRED COMPONENTS C)
pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)

# NEURON 8.2 from Debian: headers in /usr/include, libnrniv.so in /usr/lib/nrn (not on the linker path).
find_library(NEURON_NRNIV_LIBRARY nrniv PATHS /usr/lib/nrn NO_DEFAULT_PATH REQUIRED)
find_program(NEURON_NOCMODL nocmodl REQUIRED)
find_file(NEURON_UNITS_LIB nrnunits.lib PATHS /usr/share/nrn/lib NO_DEFAULT_PATH REQUIRED)
add_library(neuron::nrniv SHARED IMPORTED)
set_target_properties(neuron::nrniv PROPERTIES IMPORTED_LOCATION ${NEURON_NRNIV_LIBRARY})
execute_process(COMMAND dpkg-query -W -f=\${Version} neuron OUTPUT_VARIABLE SILICO_NEURON_PACKAGE_VERSION
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
