// The one translation unit that compiles Boost.Asio (BOOST_ASIO_SEPARATE_COMPILATION is set for
// the whole build in the top-level CMakeLists.txt).
#include <boost/asio/impl/src.hpp>
