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

#include <stddef.h>
#include <stdint.h>

/// CRC-32 as zlib's `crc32_z(crc, bytes, len)` computes it (the same value
/// for every input), by carry-less multiplication where the processor has it
/// (x86-64 with PCLMULQDQ) and by `crc32_z` itself otherwise and for buffers
/// under 256 bytes.
uint32_t silta_crc32(uint32_t crc, const unsigned char *bytes, size_t len);

#endif
