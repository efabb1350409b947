/*
 * calloc_nozero.c: FAULT: mm_calloc checks nmemb * size for overflow and allocates, but never
 * zeroes the block. Fresh heap memory happens to be zero, so the fault shows only when calloc
 * reuses a freed block.
 * traces/calloc_nozero.rep: op 2 (line 7) callocs 64 bytes into the block that held block 0
 * ("calloc did not zero").
 *
 * Otherwise base.h's free-list allocator, which is correct.
 */
#define FREE_LIST
#include "base.h"

void *mm_calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    return mm_malloc(nmemb * size); /* the fault: no memset(bp, 0, nmemb * size) */
}
