/*
 * pass_bump.c: FAULT: the third malloc never returns, and keeps bumping the driver's pass
 * counter, which the parent reads to restart a pass's timeout: it finds the counter's page from
 * the stack (a page-aligned pointer just above the simulated heap's reservation, to {op, pass}
 * of the correctness pass), and aborts if it cannot, so that a plain timeout cannot pass for it.
 * traces/pass_bump.rep: op 2 (line 7) is the third malloc ("timed out").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_TAKE
#include "base.h"

#include <stdlib.h>

#include "config.h"

#define STACK_WORDS 600           /* how far up the stack it looks */
#define MAPPINGS_ABOVE (64 << 20) /* the page lies this close above the heap's reservation */
#define SPIN 2000000              /* busy-loop iterations between two bumps */
#define PAGE_MASK 0xfff

static int calls;

static volatile int *find_progress(void)
{
    uintptr_t top = (uintptr_t)mem_heap_lo() + MAX_HEAP;
    uintptr_t *w = (uintptr_t *)__builtin_frame_address(0);
    for (int i = 0; i < STACK_WORDS; i++, w++)
        if ((*w & PAGE_MASK) == 0 && *w >= top && *w < top + MAPPINGS_ABOVE) {
            volatile int *p = (volatile int *)*w;
            if (p[0] == (int)calls - 1 && p[1] == 0) /* op, and the first pass */
                return p;
        }
    return NULL;
}

static char *take(size_t need)
{
    if (++calls == 3) {
        volatile int *p = find_progress();
        if (!p)
            abort();
        for (;;) { /* the fault */
            for (volatile long i = 0; i < SPIN; i++)
                ;
            p[1]++;
        }
    }
    return grow_heap(need);
}
