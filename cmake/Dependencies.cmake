# Every dependency comes from a Debian 12 package; nothing is downloaded.
find_package(Threads REQUIRED)

find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(asio_standalone INTERFACE)
target_include_directories(asio_standalone SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(asio_standalone INTERFACE ASIO_STANDALONE ASIO_SEPARATE_COMPILATION
                                                     ASIO_NO_DEPRECATED)
target_link_libraries(asio_standalone INTERFACE Threads::Threads)

find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)
find_library(XXHASH_LIBRARY xxhash REQUIRED)
add_library(xxhash INTERFACE)
target_include_directories(xxhash SYSTEM INTERFACE ${XXHASH_INCLUDE_DIR})
target_link_libraries(xxhash INTERFACE ${XXHASH_LIBRARY})

# jemalloc is the allocator of the server binary (not under sanitizers, which bring their own).
find_library(JEMALLOC_LIBRARY jemalloc)
if(JEMALLOC_LIBRARY AND REDWING_SANITIZE STREQUAL "")
  set(REDWING_USE_JEMALLOC ON)
endif()

if(REDWING_BUILD_TESTS)
  find_package(GTest REQUIRED)
  find_path(HIREDIS_INCLUDE_DIR hiredis/hiredis.h REQUIRED)
  find_library(HIREDIS_LIBRARY hiredis REQUIRED)
endif()
if(REDWING_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
