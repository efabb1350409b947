/*
 * inside.c: FAULT: the one-block cache of the last freed block is never emptied: malloc hands
 * that block out again for every request it fits, though the first one already holds it.
 * traces/inside.rep: op 2 (line 7) takes the freed block 0's place for block 1 (fine); op 3
 * (line 8) gets it again for 16 bytes, which lie inside live block 1 ("it lies inside that
 * block", block 1).
 *
 * Otherwise cache.h's allocator, which is correct.
 */
#include "cache.h"

static char *take(size_t need)
{
    if (cached_fits(need))
        return cached; /* the fault: lacks `cached = NULL` */
    return grow_heap(need);
}
