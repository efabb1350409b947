/*
 * exit.c: FAULT: mm_free still holds a debugging stop: it calls exit(3) on its first call.
 * traces/exit.rep: op 2 (line 7) is the first free ("exited", status 3).
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, realloc moves
 * and copies.
 */
#include <stdint.h>
#include <stdlib.h>
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
    exit(3); /* the fault */
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
