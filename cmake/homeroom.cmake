# One helper each for a library, a test and a bench (style.md, convention 12).

# homeroom_library(NAME SOURCES a.cc b.cc DEPS other_lib ...)
# Creates homeroom_<NAME>; sources include paths from src/ so headers read "core/status.h".
function(homeroom_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(homeroom_${name} STATIC ${ARG_SOURCES})
  target_include_directories(homeroom_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(homeroom_${name} PUBLIC ${ARG_DEPS})
endfunction()

# homeroom_test(MODULE NAME SOURCES x_test.cc DEPS lib ...)
# Builds test_<MODULE>_<NAME> and registers each GoogleTest case in CTest as <MODULE>.<Suite>.<Case>.
function(homeroom_test module name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  set(target test_${module}_${name})
  add_executable(${target} ${ARG_SOURCES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  # Tests that read files of the repository (fixtures, docs) find it through this.
  target_compile_definitions(${target} PRIVATE HOMEROOM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  gtest_discover_tests(${target}
    TEST_PREFIX "${module}."
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${module};${ARG_LABELS}")
endfunction()

# homeroom_bench(NAME SOURCES x_bench.cc DEPS lib ...): a Google Benchmark executable bench_<NAME>.
function(homeroom_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(bench_${name} ${ARG_SOURCES})
  target_include_directories(bench_${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(bench_${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
endfunction()
