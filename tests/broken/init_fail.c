/*
 * init_fail.c: FAULT: mm_init reports failure (-1) although nothing went wrong: it checks the
 * result of mem_sbrk against NULL-or-not the wrong way round.
 * traces/init_fail.rep: no op runs ("mm_init failed").
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
    void *p = mem_sbrk(0); /* the current break: fails only when memlib is not set up */
    return p != (void *)-1 ? -1 : 0; /* the fault: the test is inverted */
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
        size_t old = *hdr(bp);
        memcpy(nb, bp, old < size ? old : size);
    }
    return nb;
}
