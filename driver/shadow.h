/* driver/shadow.h: which bytes of memory live blocks occupy, for the overlap check.
 *
 * A shadow bitmap with one bit per ALIGNMENT-sized granule of address space: a block sets the
 * bits of the granules it touches. Payloads start aligned (checked first), so two disjoint
 * blocks never share a granule, and a new block overlaps a live one, partly, inside it or around
 * it, exactly when one of its bits is already set. The cost of an op is independent of the
 * number of live blocks: a hash lookup per 64 KiB of the block and a word per 64 granules, far
 * less than writing the payload's pattern. (A balanced tree of live blocks, O(log n) cache
 * misses per op, cost the correctness pass 20x a timed replay on a 100,000-block trace.)
 *
 * The bitmap lives in memory mapped directly from the system, never in malloc's heap: the
 * driver must not change what a real allocator like glibc holds, nor its measured footprint. */
#ifndef DRIVER_SHADOW_H
#define DRIVER_SHADOW_H

#include <stddef.h>
#include <stdint.h>

struct shadow;

struct shadow *shadow_new(void); /* NULL when out of memory */
void shadow_delete(struct shadow *s);
void shadow_clear(struct shadow *s);

/* Marks [lo, hi) (lo aligned, hi > lo) unless a byte of it is already marked: returns 0 when
 * marked, 1 when it overlaps (nothing marked), -1 when the driver is out of memory. */
int shadow_claim(struct shadow *s, uintptr_t lo, uintptr_t hi);
void shadow_release(struct shadow *s, uintptr_t lo, uintptr_t hi);

/* 1 when some granule touching [lo, hi) is marked. */
int shadow_any(struct shadow *s, uintptr_t lo, uintptr_t hi);

#endif
