/*
 * false_null.c: FAULT: enforces a private heap limit of 1 MiB and returns NULL past it, although
 * memlib would hand out far more (the driver's maximum heap).
 * traces/false_null.rep: op 1 (line 6) asks for 600000 bytes with 600016 in use and gets NULL
 * ("returned NULL").
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, free does
 * nothing, realloc moves and copies.
 */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16
#define MY_LIMIT (1 << 20) /* the fault: a limit of its own */

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
    if (size > MY_LIMIT)
        return NULL;
    size_t need = HDR + ((size + 15) & ~(size_t)15);
    if (mem_heapsize() + need > MY_LIMIT)
        return NULL;
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
