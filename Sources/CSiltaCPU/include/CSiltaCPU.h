// CSiltaCPU: processor hints Swift has no spelling for.
//
// The ingest merger looks up each event's content ids and each chunk's
// persons in tables far larger than the caches; asking for a slot a few
// lookups ahead lets those memory reads overlap instead of waiting one by one
// (docs/performance.md, "Ingest"). A hint changes no result.
#ifndef SILTA_CCPU_H
#define SILTA_CCPU_H

/// Asks the processor to bring the cache line holding `p` in, for reading.
/// Never faults, whatever `p` is.
static inline void silta_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
