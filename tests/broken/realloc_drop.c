/*
 * realloc_drop.c: FAULT: mm_realloc hands out a new block but never copies the old payload into
 * it.
 * traces/realloc_drop.rep: op 1 (line 6) grows block 0 and loses its bytes
 * ("realloc did not preserve").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_REALLOC
#include "base.h"

void *mm_realloc(void *bp, size_t size)
{
    (void)bp; /* the fault: the old payload is never copied from bp */
    return mm_malloc(size);
}
