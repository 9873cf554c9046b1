// CSiltaZlib: the system zlib, as Swift can call it.
//
// zlib's initialisers are macros (they pass the library version and the size
// of z_stream), which Swift cannot import; each is wrapped here as a plain
// function whose comment names the macro it stands for. Everything else is
// imported from <zlib.h> unchanged.
#ifndef SILTA_CZLIB_H
#define SILTA_CZLIB_H

#include <zlib.h>

/// Wraps `inflateInit2(strm, windowBits)`.
int silta_inflateInit2(z_streamp strm, int windowBits);

/// Wraps `deflateInit2(strm, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY)`.
int silta_deflateInit2(z_streamp strm, int level, int windowBits, int memLevel);

#endif
