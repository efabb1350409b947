/*
 * realloc_last_byte.c: FAULT: mm_realloc copies one byte fewer than the old payload holds, as
 * if its size counted a string's terminating NUL.
 * traces/realloc_last_byte.rep: op 1 (line 6) grows block 0 from 13 to 29 bytes and loses byte
 * 12, the last one, which lies after the payload's last whole 8-byte word ("realloc did not
 * preserve").
 *
 * Otherwise base.h's bump allocator, which is correct.
 */
#define OWN_REALLOC
#include "base.h"

void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    size_t old = hdr(bp)[0];
    return move(bp, old ? old - 1 : 0, size); /* the fault: one byte short */
}
