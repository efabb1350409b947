/*
 * checker_fails.c: FAULT: the heap checker has a condition inverted: it calls every block on the
 * free list bad unless the block is marked allocated, so it fails as soon as anything has been
 * freed. The allocator itself is correct: without -D the trace passes.
 * traces/checker_fails.rep: op 2 (line 7) frees block 0; under -D the checker fails before
 * op 3 (line 8) ("heap checker").
 *
 * Otherwise base.h's free-list allocator, which is correct.
 */
#include <stdio.h>

#define FREE_LIST
#include "base.h"

int mm_check(int verbose)
{
    for (void *bp = free_list; bp; bp = *link_of(bp))
        if (hdr(bp)[1] != 1) { /* the fault: a free block must have the flag 0, not 1 */
            if (verbose)
                fprintf(stderr, "mm_check: free block %p is not marked allocated\n", bp);
            return 0;
        }
    return 1;
}
