/*
 * pass_bump.c: FAULT: the third malloc never returns, and keeps bumping the driver's pass
 * counter, which the parent reads to restart a pass's timeout (see progress.h).
 * traces/pass_bump.rep: op 2 (line 7) is the third malloc ("timed out").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#include "progress.h"

#define SPIN 2000000 /* busy-loop iterations between two bumps */

static void hang(volatile int *pass)
{
    for (;;) { /* the fault */
        for (volatile long i = 0; i < SPIN; i++)
            ;
        (*pass)++;
    }
}
