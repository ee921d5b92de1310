// Compiles Boost.JSON into the fuzz binaries with the fuzzer's instrumentation, so that the parser
// itself is coverage-guided and checked by AddressSanitizer (its definitions take precedence over
// the shared library's).
#include <boost/json/src.hpp>
