/*
 * control_fresh_memory.c: a CORRECT allocator that trusts memory new to the break to read as
 * zeros, as memory from a real sbrk does: mm_init takes the heap's first 16 bytes for its
 * free-list head and never clears them. The driver resets the heap before every replay after
 * the first; it must hand each one the same fresh memory, or this allocator would find the
 * previous run's list there. It must pass every trace (exit status 0).
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
    list_head = mem_sbrk(HDR); /* fresh memory: the head reads NULL, no store needed */
    return list_head == (void *)-1 ? -1 : 0;
}
