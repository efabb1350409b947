/*
 * write_past_break.c: FAULT: from the second block on, malloc writes a byte WILD bytes past the
 * break, as a block size read from a corrupt header sends a pointer far past the heap.
 * traces/write_past_break.rep: op 1 (line 6) is the second malloc ("signal SIGSEGV", at heap
 * offset 96 + WILD, WILD bytes past the break: 48-byte blocks).
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_TAKE
#include "base.h"

#define WILD (1 << 20) /* far beyond what memlib grants ahead of the break */

static char *take(size_t need)
{
    int first = mem_heapsize() == 0;
    char *b = grow_heap(need);
    if (b && !first)
        b[need + WILD] = 1; /* the fault */
    return b;
}
