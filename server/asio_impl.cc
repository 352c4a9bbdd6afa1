// Asio's implementation, compiled once (ASIO_SEPARATE_COMPILATION) instead of in every file that
// includes an Asio header.
#include <asio/impl/src.hpp>
