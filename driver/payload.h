/* driver/payload.h: the pseudo-random contents the driver writes into every payload, so that any
 * change made behind its back (a neighbour's header, a lost realloc copy) is noticed.
 *
 * Byte k of a block with seed s is a pure function of (s, k): a block can be filled or checked
 * over any range, and a realloc that keeps the seed only fills the part that grew. */
#ifndef DRIVER_PAYLOAD_H
#define DRIVER_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

/* Seed for a new placement; distinct for every (trace op, id). */
uint64_t payload_seed(int op, int id);

/* Writes bytes [from, to) of the block at p. */
void payload_fill(void *p, uint64_t seed, size_t from, size_t to);

/* What the checks return when every byte is as expected. */
#define NO_MISMATCH ((size_t)-1)

/* Offset of the first byte in [from, to) that differs, or NO_MISMATCH. */
size_t payload_check(const void *p, uint64_t seed, size_t from, size_t to);

/* Offset of the first nonzero byte in [0, n), or NO_MISMATCH. */
size_t payload_check_zero(const void *p, size_t n);

#endif
