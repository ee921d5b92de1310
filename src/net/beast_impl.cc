// The one translation unit that compiles Boost.Beast (BOOST_BEAST_SEPARATE_COMPILATION is set for
// the whole build in the top-level CMakeLists.txt).
#include <boost/beast/src.hpp>
