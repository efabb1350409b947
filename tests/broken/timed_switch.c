/*
 * timed_switch.c: FAULT: tells the timing runs from the checked pass by counting mm_init calls,
 * and in them never reuses a freed block (a faster allocator, were it not correct only when
 * checked): its heap there peaks higher than in the checked pass.
 * traces/timed_switch.rep: a block freed and another allocated: one 80-byte block when
 * checked, two when timed ("a timing run's heap peaked at 160 bytes").
 *
 * Otherwise base.h's free-list allocator, which is correct.
 */
#define FREE_LIST
#define OWN_INIT
#define OWN_FREE
#include "base.h"

static int inits;

int mm_init(void)
{
    free_list = NULL;
    inits++;
    return 0;
}

void mm_free(void *bp)
{
    if (bp && inits == 1) /* the fault: the timing runs come after the first mm_init */
        push_free(bp);
}
