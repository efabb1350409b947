/*
 * outside_heap.c: FAULT: serves requests of at most 16 bytes from a static array instead of the
 * heap, so those payloads lie outside [mem_heap_lo, mem_heap_hi].
 * traces/outside_heap.rep: op 1 (line 6) gets a pointer into the array ("outside the heap").
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, free does
 * nothing, realloc moves and copies.
 */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16
#define POOL 4096

static _Alignas(16) char pool[POOL]; /* the fault: memory the driver never gave out */
static size_t pool_used;

static size_t *hdr(void *bp)
{
    return (size_t *)((char *)bp - HDR);
}

int mm_init(void)
{
    pool_used = 0;
    return 0;
}

void *mm_malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t need = HDR + ((size + 15) & ~(size_t)15);
    char *b;
    if (size <= 16 && pool_used + need <= POOL) {
        b = pool + pool_used;
        pool_used += need;
    } else {
        b = mem_sbrk((intptr_t)need);
        if (b == (void *)-1)
            return NULL;
    }
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
