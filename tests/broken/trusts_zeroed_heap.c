/*
 * trusts_zeroed_heap.c: FAULT: mm_init takes the heap's first 16 bytes for the free-list head
 * and never clears them, trusting memory new to the break to read as zeros. On a fresh heap it
 * does; after mem_reset_brk the heap holds the previous run's bytes (as in the original lab's
 * memlib), so the replay after the reset finds the old list there.
 * traces/trusts_zeroed_heap.rep: op 0 (line 5) of the replay after the reset takes block 1's
 * old place from the stale list, outside the empty heap.
 *
 * Otherwise base.h's free-list allocator, its list head kept in the heap instead of a global.
 */
#define FREE_LIST
#define OWN_INIT

static void **list_head; /* the heap's first word */
#define free_list (*list_head)
#include "base.h"

int mm_init(void)
{
    list_head = mem_sbrk(HDR); /* the fault: no `*list_head = NULL` */
    return list_head == (void *)-1 ? -1 : 0;
}
