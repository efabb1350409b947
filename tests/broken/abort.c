/*
 * abort.c: FAULT: mm_realloc treats a NULL pointer as a fatal error and calls abort(), where
 * realloc(NULL, n) must act as malloc(n).
 * traces/abort.rep: op 1 (line 6) reallocates id 1, which is not live: realloc(NULL, 64)
 * ("signal SIGABRT").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#include <stdlib.h>

#define OWN_REALLOC
#include "base.h"

void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        abort(); /* the fault */
    return move(bp, hdr(bp)[0], size);
}
