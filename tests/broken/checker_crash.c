/*
 * checker_crash.c: FAULT: the heap checker follows the free list one link too far and reads
 * through the NULL that ends it, so it crashes as soon as anything has been freed. The allocator
 * itself is correct: without -D the trace passes, and under -D the crash is the checker's, not
 * the op's.
 * traces/checker_crash.rep: op 2 (line 7) frees block 0; under -D the checker crashes before
 * op 3 (line 8).
 *
 * Otherwise base.h's free-list allocator, which is correct.
 */
#define FREE_LIST
#include "base.h"

int mm_check(int verbose)
{
    (void)verbose;
    void *bp = free_list;
    while (bp) /* the fault: it reads the link of the NULL that ends the list */
        bp = *link_of(*link_of(bp));
    return 1;
}
