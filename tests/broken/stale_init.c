/*
 * stale_init.c: FAULT: mm_init does not empty the free list, so after the driver resets the
 * heap and calls mm_init again, the list still holds blocks of the previous run, which now lie
 * past the break. The first replay, on a fresh heap, is correct; the ones after it are not.
 * traces/stale_init.rep: op 0 (line 5) of the replay after the reset takes block 1's old place
 * from the stale list, outside the empty heap.
 *
 * Otherwise base.h's free-list allocator, which is correct.
 */
#define FREE_LIST
#define OWN_INIT
#include "base.h"

int mm_init(void)
{
    return 0; /* the fault: missing `free_list = NULL` */
}
