/*
 * init_fail.c: FAULT: mm_init reports failure (-1) although nothing went wrong: it checks the
 * result of mem_sbrk against NULL-or-not the wrong way round.
 * traces/init_fail.rep: no op runs ("mm_init failed").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_INIT
#include "base.h"

int mm_init(void)
{
    void *p = mem_sbrk(0); /* the current break: fails only when memlib is not set up */
    return p != (void *)-1 ? -1 : 0; /* the fault: the test is inverted */
}
