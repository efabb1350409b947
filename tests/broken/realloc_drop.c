/*
 * realloc_drop.c: FAULT: mm_realloc hands out a new block but never copies the old payload into
 * it.
 * traces/realloc_drop.rep: op 1 (line 6) grows block 0 and loses its bytes
 * ("realloc did not preserve").
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, free does
 * nothing.
 */
#include <stdint.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16

int mm_init(void)
{
    return 0;
}

void *mm_malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t need = HDR + ((size + 15) & ~(size_t)15);
    char *b = mem_sbrk((intptr_t)need);
    if (b == (void *)-1)
        return NULL;
    *(size_t *)b = size;
    return b + HDR;
}

void mm_free(void *bp)
{
    (void)bp;
}

void *mm_realloc(void *bp, size_t size)
{
    (void)bp; /* the fault: the old payload is never copied from bp */
    return mm_malloc(size);
}
