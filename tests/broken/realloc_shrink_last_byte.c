/*
 * realloc_shrink_last_byte.c: FAULT: a shrinking mm_realloc copies one byte fewer than the new
 * size, as if that size counted a string's terminating NUL; a growing one copies right.
 * traces/realloc_shrink_last_byte.rep: op 1 (line 6) shrinks block 0 from 29 to 13 bytes and loses
 * byte 12, the last one kept ("realloc did not preserve").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_REALLOC
#include "base.h"

void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    size_t old = hdr(bp)[0];
    if (size && size < old)
        return move(bp, size - 1, size); /* the fault: one byte short */
    return move(bp, old, size);
}
