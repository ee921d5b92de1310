// The one translation unit that compiles Boost.Beast (BOOST_BEAST_SEPARATE_COMPILATION is set for
// the whole build in the top-level CMakeLists.txt). It lives in core so that every layer speaking
// HTTP links it: net (the server) and media (the Janus client).
#include <boost/beast/src.hpp>
