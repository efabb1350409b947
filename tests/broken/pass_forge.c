/*
 * pass_forge.c: FAULT: the third malloc never returns, having set the driver's pass counter (see
 * progress.h) to the first number no replay of a job has: one past the checked pass, the
 * checked one after a heap reset, TIMER_MAXRUNS timing runs and the one that finds an op that
 * printed to stdout (driver/job.c's JOB_PASSES).
 * traces/pass_forge.rep: op 2 (line 7) is the third malloc ("timed out", and the pass counter
 * said to be the allocator's doing).
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#include "progress.h"

#define NO_REPLAYS_PASS (1 + 1 + TIMER_MAXRUNS + 1)

static void hang(volatile int *pass)
{
    *pass = NO_REPLAYS_PASS; /* the fault */
    for (;;)
        ;
}
