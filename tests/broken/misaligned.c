/*
 * misaligned.c: FAULT: rounds block sizes up to 8 bytes instead of 16, so once a request that is
 * not a multiple of 16 has been served, the next payload is only 8-byte aligned.
 * traces/misaligned.rep: op 2 (line 7) gets a misaligned payload ("not aligned").
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, free does
 * nothing, realloc moves and copies.
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
    size_t need = HDR + ((size + 7) & ~(size_t)7); /* the fault: 8, not 16 */
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
        size_t old = *hdr(bp);
        memcpy(nb, bp, old < size ? old : size);
    }
    return nb;
}
