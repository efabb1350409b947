/*
 * segfault.c: FAULT: mm_free does not ignore NULL: it clears the allocated flag in the header in
 * front of the pointer, i.e. just below address 0.
 * traces/segfault.rep: op 1 (line 6) is `f -1`, free(NULL) ("signal SIGSEGV").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_FREE
#include "base.h"

void mm_free(void *bp)
{
    hdr(bp)[1] = 0; /* the fault: no check for NULL */
}
