/* driver/payload.c: the payload pattern (see payload.h).
 *
 * Word i of a block is a Weyl sequence step (seed + (i+1) * GOLDEN) with its high bits folded
 * into its low ones: distinct between words and between blocks, never a constant an allocator
 * would write by accident, and cheap enough (an add, a shift, a xor per 8 bytes, vectorizable)
 * that filling and checking every payload costs about as much as touching it. */
#include "driver/payload.h"

#include <string.h>

#define GOLDEN 0x9e3779b97f4a7c15ULL
#define WORD sizeof(uint64_t)
#define FOLD 29 /* shift that folds the well-mixed high bits onto the low ones */

static inline uint64_t word_at(uint64_t seed, size_t i)
{
    uint64_t x = seed + (uint64_t)(i + 1) * GOLDEN;
    return x ^ (x >> FOLD);
}

uint64_t payload_seed(int op, int id)
{
    uint64_t x = ((uint64_t)(uint32_t)op << 32 | (uint32_t)id) * GOLDEN;
    return x ^ (x >> FOLD);
}

/* Byte k's value: byte k % 8 of word k / 8, little-endian as memcpy lays it out. */
static unsigned char byte_at(uint64_t seed, size_t k)
{
    uint64_t w = word_at(seed, k / WORD);
    unsigned char b[WORD];
    memcpy(b, &w, WORD);
    return b[k % WORD];
}

void payload_fill(void *p, uint64_t seed, size_t from, size_t to)
{
    unsigned char *c = p;
    size_t k = from;
    for (; k < to && k % WORD; k++)
        c[k] = byte_at(seed, k);
    uint64_t x = seed + (uint64_t)(k / WORD + 1) * GOLDEN;
    for (; k + WORD <= to; k += WORD, x += GOLDEN) {
        uint64_t w = x ^ (x >> FOLD);
        memcpy(c + k, &w, WORD);
    }
    for (; k < to; k++)
        c[k] = byte_at(seed, k);
}

static size_t first_bad_byte(const unsigned char *c, uint64_t seed, size_t k, size_t to)
{
    for (; k < to; k++)
        if (c[k] != byte_at(seed, k))
            return k;
    return NO_MISMATCH;
}

size_t payload_check(const void *p, uint64_t seed, size_t from, size_t to)
{
    const unsigned char *c = p;
    size_t k = from;
    for (; k < to && k % WORD; k++)
        if (c[k] != byte_at(seed, k))
            return k;
    uint64_t x = seed + (uint64_t)(k / WORD + 1) * GOLDEN;
    /* Whole words are compared OR-ed together, a chunk at a time, to keep the loop branch-light;
     * a chunk that differs is rescanned byte by byte to name the offset. */
    enum { CHUNK = 8 };
    for (; k + CHUNK * WORD <= to; k += CHUNK * WORD, x += CHUNK * GOLDEN) {
        uint64_t diff = 0, y = x;
        for (int j = 0; j < CHUNK; j++, y += GOLDEN) {
            uint64_t w;
            memcpy(&w, c + k + j * WORD, WORD);
            diff |= w ^ (y ^ (y >> FOLD));
        }
        if (diff)
            return first_bad_byte(c, seed, k, k + CHUNK * WORD);
    }
    for (; k + WORD <= to; k += WORD, x += GOLDEN) {
        uint64_t w;
        memcpy(&w, c + k, WORD);
        if (w != (x ^ (x >> FOLD)))
            return first_bad_byte(c, seed, k, k + WORD);
    }
    return first_bad_byte(c, seed, k, to);
}

size_t payload_check_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    size_t k = 0;
    for (; k + WORD <= n; k += WORD) {
        uint64_t w;
        memcpy(&w, c + k, WORD);
        if (w)
            break;
    }
    for (; k < n; k++)
        if (c[k])
            return k;
    return NO_MISMATCH;
}
