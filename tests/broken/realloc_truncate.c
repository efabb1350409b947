/*
 * realloc_truncate.c: FAULT: mm_realloc believes the size in the header counts the header too,
 * and copies 16 bytes fewer than the old payload holds.
 * traces/realloc_truncate.rep: op 1 (line 6) grows block 0 from 64 to 128 bytes and keeps only
 * its first 48 ("realloc did not preserve").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_REALLOC
#include "base.h"

void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    size_t old = hdr(bp)[0] > HDR ? hdr(bp)[0] - HDR : 0; /* the fault: not minus HDR */
    return move(bp, old, size);
}
