/*
 * realloc_drop_reused.c: FAULT: mm_realloc hands out a new block but never copies the old
 * payload into it, as in realloc_drop.c, here where the new block is the place the same block
 * id had before it was freed, which still holds the bytes written there then.
 * traces/realloc_drop_reused.rep: block 0 of 32 bytes is freed (op 1) and allocated again with
 * 64 (op 2, elsewhere); op 3 (line 8) shrinks it to 16 into its first place, which holds the
 * first allocation's bytes, not the block's own ("realloc did not preserve").
 *
 * Otherwise cache.h's allocator, which is correct.
 */
#define OWN_REALLOC
#include "cache.h"

static char *take(size_t need)
{
    char *b = cached_fits(need) ? cached : NULL;
    if (!b)
        return grow_heap(need);
    cached = NULL;
    return b;
}

void *mm_realloc(void *bp, size_t size)
{
    (void)bp; /* the fault: the old payload is never copied from bp */
    return mm_malloc(size);
}
