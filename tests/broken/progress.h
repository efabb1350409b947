/*
 * progress.h: base.h's bump allocator for the broken allocators that write into the driver's
 * progress record ({op, pass}, in a page the sandbox's parent reads to restart a pass's
 * timeout): the third malloc (op 2) finds the record from the stack, a page-aligned pointer just
 * above the simulated heap's reservation, and never returns: it calls the file's
 * hang(&pass). It aborts when it cannot find the record, so that a plain timeout cannot pass for
 * the fault.
 */
#ifndef BROKEN_PROGRESS_H
#define BROKEN_PROGRESS_H

#define OWN_TAKE
#include "base.h"

#include <stdint.h>
#include <stdlib.h>

#include "config.h"

#define STACK_WORDS 600           /* how far up the stack it looks */
#define MAPPINGS_ABOVE (64 << 20) /* the page lies this close above the heap's reservation */
#define PAGE_MASK 0xfff
#define HANGING_MALLOC 3

/* The record, as the correctness pass replays op; NULL when it is not found. */
static volatile int *find_progress(int op)
{
    uintptr_t top = (uintptr_t)mem_heap_lo() + MAX_HEAP;
    uintptr_t *w = (uintptr_t *)__builtin_frame_address(0);
    for (int i = 0; i < STACK_WORDS; i++, w++)
        if ((*w & PAGE_MASK) == 0 && *w >= top && *w < top + MAPPINGS_ABOVE) {
            volatile int *p = (volatile int *)*w;
            if (p[0] == op && p[1] == 0) /* op, and the first pass */
                return p;
        }
    return NULL;
}

/* The fault, given the driver's pass counter: never returns. */
static void __attribute__((noreturn)) hang(volatile int *pass);

static char *take(size_t need)
{
    static int calls;
    if (++calls == HANGING_MALLOC) {
        volatile int *p = find_progress(calls - 1);
        if (!p)
            abort();
        hang(&p[1]);
    }
    return grow_heap(need);
}

#endif
