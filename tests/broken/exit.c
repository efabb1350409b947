/*
 * exit.c: FAULT: mm_free still holds a debugging stop: it calls exit(3) on its first call.
 * traces/exit.rep: op 2 (line 7) is the first free ("exited", status 3).
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#include <stdlib.h>

#define OWN_FREE
#include "base.h"

void mm_free(void *bp)
{
    (void)bp;
    exit(3); /* the fault */
}
