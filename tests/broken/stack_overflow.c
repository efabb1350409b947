/*
 * stack_overflow.c: FAULT: mm_free hands the block to a recursive helper whose base case never
 * holds (it looks for a flag value no header has), so it recurses until the stack runs out.
 * traces/stack_overflow.rep: op 2 (line 7) is the first free ("past the end of the stack").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_FREE
#include "base.h"

static void release(void *bp, unsigned depth)
{
    volatile char trail[64]; /* the blocks visited, kept on the stack: no loop replaces the call */
    trail[depth % 64] = 1;
    if (hdr(bp)[1] == 2) /* the fault: no header holds 2 */
        return;
    release(bp, depth + 1);
    trail[0] = trail[depth % 64];
}

void mm_free(void *bp)
{
    if (bp)
        release(bp, 0);
}
