/*
 * beyond_break.c: FAULT: grows the heap in chunks but decides whether the chunk is used up by
 * comparing where the next block STARTS with the break (`top > end`, not `top + need > end`).
 * When a chunk is exactly full, the next block is carved past mem_heap_hi: inside the heap's
 * reservation, beyond the break.
 * traces/beyond_break.rep: four 992-byte blocks fill the first chunk; op 4 (line 9) gets a
 * payload past the break ("outside the heap").
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, free does
 * nothing, realloc moves and copies.
 */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16
#define CHUNK 4032 /* four blocks of 1008 bytes; not a whole page, so the header write past the
                      break still lands on a mapped page and only the driver can notice */

static char *top; /* where the next block goes */
static char *end; /* the break */

static size_t *hdr(void *bp)
{
    return (size_t *)((char *)bp - HDR);
}

int mm_init(void)
{
    top = mem_sbrk(CHUNK);
    if (top == (void *)-1)
        return -1;
    end = top + CHUNK;
    return 0;
}

void *mm_malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t need = HDR + ((size + 15) & ~(size_t)15);
    if (top > end) { /* the fault */
        size_t grow = need > CHUNK ? need : CHUNK;
        if (mem_sbrk((intptr_t)grow) == (void *)-1)
            return NULL;
        end += grow;
    }
    char *b = top;
    top += need;
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
