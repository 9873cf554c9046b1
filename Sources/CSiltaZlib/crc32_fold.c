// CRC-32 (the gzip polynomial) by carry-less multiplication.
//
// zlib 1.2.13's crc32_z works a byte lane at a time; on the ingest profile it
// was 5 % of all samples (the gzip check of every inflated byte). With
// PCLMULQDQ the message is folded 64 bytes a step into four 128-bit lanes:
// a lane L standing at distance D bits before the lane it is added to is
// replaced by clmul(L.lo, k(D + 32)) ^ clmul(L.hi, k(D - 32)), where
// k(e) = reflect32(x^e mod P) << 1, the bit-reflected domain's spelling of
// "L times x^D, reduced". The four lanes are then folded into one, then the
// remaining whole 16-byte blocks, and the last 128 bits and the tail (under
// 16 bytes) are finished by zlib's own crc32_z, which also covers short
// buffers and processors without PCLMULQDQ. The constants were worked out
// with a short script (docs/performance.md gives it); the tests compare every
// length from 0 to 4,096 and random chained updates with crc32_z.
#include "CSiltaZlib.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define SILTA_FOLD_TARGET __attribute__((target("pclmul,sse4.1")))

static const uint64_t k544 = 0x154442bd4ULL;  // D = 512: k(512 + 32)
static const uint64_t k480 = 0x1c6e41596ULL;  // D = 512: k(512 - 32)
static const uint64_t k160 = 0x1751997d0ULL;  // D = 128: k(128 + 32)
static const uint64_t k96 = 0x0ccaa009eULL;   // D = 128: k(128 - 32)

SILTA_FOLD_TARGET
static inline __m128i fold(__m128i lane, __m128i k, __m128i next) {
    __m128i lo = _mm_clmulepi64_si128(lane, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(lane, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

// The raw register (no inversions) after `len` bytes, len >= 64, starting
// from register `reg`; `*used` is set to the bytes consumed (a multiple of 16).
SILTA_FOLD_TARGET
static uint32_t fold_blocks(uint32_t reg, const unsigned char *p, size_t len, size_t *used) {
    const unsigned char *start = p;
    __m128i a = _mm_loadu_si128((const __m128i *)(p + 0));
    __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i d = _mm_loadu_si128((const __m128i *)(p + 48));
    // The register stands for the message's first 32 bits.
    a = _mm_xor_si128(a, _mm_cvtsi32_si128((int)reg));
    p += 64;
    len -= 64;
    const __m128i k512 = _mm_set_epi64x((long long)k480, (long long)k544);
    while (len >= 64) {
        a = fold(a, k512, _mm_loadu_si128((const __m128i *)(p + 0)));
        b = fold(b, k512, _mm_loadu_si128((const __m128i *)(p + 16)));
        c = fold(c, k512, _mm_loadu_si128((const __m128i *)(p + 32)));
        d = fold(d, k512, _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        len -= 64;
    }
    const __m128i k128 = _mm_set_epi64x((long long)k96, (long long)k160);
    __m128i x = fold(a, k128, b);
    x = fold(x, k128, c);
    x = fold(x, k128, d);
    while (len >= 16) {
        x = fold(x, k128, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }
    // x is congruent to the message so far; its CRC from register 0 is the
    // register after it: zlib's crc32_z starts from register ~crc.
    unsigned char last[16];
    _mm_storeu_si128((__m128i *)last, x);
    *used = (size_t)(p - start);
    return ~(uint32_t)crc32_z(0xffffffffUL, last, 16);
}

static int silta_has_pclmul(void) {
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    }
    return known;
}
#endif

uint32_t silta_crc32(uint32_t crc, const unsigned char *bytes, size_t len) {
#if defined(__x86_64__)
    if (len >= 256 && silta_has_pclmul()) {
        size_t used = 0;
        uint32_t reg = fold_blocks(~crc, bytes, len, &used);
        return (uint32_t)crc32_z(~reg, bytes + used, len - used);
    }
#endif
    return (uint32_t)crc32_z(crc, bytes, len);
}
