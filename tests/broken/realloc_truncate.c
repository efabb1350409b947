/*
 * realloc_truncate.c: FAULT: mm_realloc believes the size in the header counts the header too,
 * and copies 16 bytes fewer than the old payload holds.
 * traces/realloc_truncate.rep: op 1 (line 6) grows block 0 from 64 to 128 bytes and keeps only
 * its first 48 ("realloc did not preserve").
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, free does
 * nothing.
 */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16

static size_t *hdr(void *bp)
{
    return (size_t *)((char *)bp - HDR);
}

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
    if (!bp)
        return mm_malloc(size);
    void *nb = mm_malloc(size);
    if (nb) {
        size_t old = *hdr(bp) > HDR ? *hdr(bp) - HDR : 0; /* the fault: not minus HDR */
        memcpy(nb, bp, old < size ? old : size);
    }
    return nb;
}
