/*
 * overlap.c: FAULT: mm_realloc grows a block in place by absorbing the block that follows it,
 * checking only that the two together are big enough, not that the next one is free.
 * traces/overlap.rep: op 2 (line 7) grows block 0 over live block 1; the two payloads now share
 * bytes ("overlaps", block 1).
 *
 * Otherwise base.h's free-list allocator, which is correct.
 */
#define FREE_LIST
#define OWN_GROW
#include "base.h"

static int grow_in_place(void *bp, size_t need)
{
    char *next = next_block(bp);
    if (in_heap(next) && hdr(bp)[0] + hdr(next)[0] >= need) {
        /* the fault: the condition lacks `!hdr(next)[1]`: next may be allocated */
        absorb_next(bp);
        return 1;
    }
    return 0;
}
