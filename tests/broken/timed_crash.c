/*
 * timed_crash.c: FAULT: the third mm_init, the first timing run's, writes through NULL: the
 * checked pass and the checked replay after a heap reset went well, and the message must say
 * the crash came in a timing run.
 * traces/timed_crash.rep: any trace ("in mm_init: signal SIGSEGV ... (in a timing run)").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_INIT
#include "base.h"

static int inits;

int mm_init(void)
{
    if (++inits == 3) /* the fault */
        *(volatile int *)NULL = 1;
    return 0;
}
