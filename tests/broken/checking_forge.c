/*
 * checking_forge.c: FAULT: the third malloc never returns, having written into the driver's
 * heap-checker field (the word after the pass counter, see progress.h; 1 + the op the checker
 * runs before while it runs) a number no replay makes: the hang is the op's, not the checker's.
 * traces/checking_forge.rep: op 2 (line 7) is the third malloc ("timed out", nothing said of
 * the heap checker).
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#include "progress.h"

#define NO_OPS_CHECK 1000000

static void hang(volatile int *pass)
{
    pass[1] = NO_OPS_CHECK; /* the fault */
    for (;;)
        ;
}
