/*
 * write_after_reset.c: FAULT: mm_init clears the end mark that malloc leaves on the heap's last
 * byte through a pointer kept from the previous run, so after the driver resets the heap it
 * writes past the (empty) heap's break. The first replay, on a fresh heap, is correct.
 * traces/write_after_reset.rep: two 32-byte mallocs (48-byte blocks); mm_init of the replay
 * after the reset writes at heap offset 95, 95 bytes past the break ("signal SIGSEGV").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_INIT
#define OWN_TAKE
#include "base.h"

static char *end_mark; /* the heap's last byte when malloc last grew it */

int mm_init(void)
{
    if (end_mark)
        *end_mark = 0; /* the fault: the mark belongs to a heap that has since been reset */
    end_mark = NULL;
    return 0;
}

static char *take(size_t need)
{
    char *b = grow_heap(need);
    if (b) {
        end_mark = b + need - 1;
        *end_mark = 1;
    }
    return b;
}
