/*
 * hang.c: FAULT: the first-fit search steps from the head of the free list each time
 * (`bp = *link_of(free_list)`) instead of from the current block, so with two free blocks that
 * are both too small it bounces on the second one forever.
 * traces/hang.rep: op 4 (line 9) asks for 64 bytes with two free 16-byte blocks on the list
 * ("timed out").
 *
 * Otherwise base.h's free-list allocator, which is correct.
 */
#define FREE_LIST
#define SEARCH_STEP(bp) (*link_of(free_list)) /* the fault: not *link_of(bp) */
#include "base.h"
