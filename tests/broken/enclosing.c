/*
 * enclosing.c: FAULT: mm_free coalesces the freed block with the block that follows it without
 * checking that the next one is free. A later request then gets the merged block, which
 * strictly encloses the live block inside it: the new block starts before it and ends after
 * it. The original CS:APP driver only asked whether either end of the new block fell inside a
 * live one, and missed this.
 * traces/enclosing.rep: op 3 (line 8) frees block 1 and swallows live block 2 (8 bytes);
 * op 4 (line 9) gets 80 bytes around block 2 ("overlaps", block 2).
 *
 * Otherwise base.h's free-list allocator, which is correct.
 */
#define FREE_LIST
#define OWN_FREE
#include "base.h"

void mm_free(void *bp)
{
    if (!bp)
        return;
    if (in_heap(next_block(bp))) /* the fault: lacks `&& !hdr(next_block(bp))[1]` */
        absorb_next(bp);
    push_free(bp);
}
