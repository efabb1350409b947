/*
 * shrink_heap.c: FAULT: mm_free hands a large block back to memlib with a negative mem_sbrk
 * without checking that the block is the last one in the heap, so the heap shrinks under the
 * live blocks that follow it.
 * traces/shrink_heap.rep: op 2 (line 7) frees the 8 KiB block 0 while block 1 lies above it;
 * afterwards block 1 is past mem_heap_hi ("beyond the break").
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, realloc moves
 * and copies.
 */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16
#define GIVE_BACK 4096 /* blocks at least this big are returned to memlib when freed */

static size_t *hdr(void *bp)
{
    return (size_t *)((char *)bp - HDR);
}

static size_t block_size(size_t size)
{
    return HDR + ((size + 15) & ~(size_t)15);
}

int mm_init(void)
{
    return 0;
}

void *mm_malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    char *b = mem_sbrk((intptr_t)block_size(size));
    if (b == (void *)-1)
        return NULL;
    *(size_t *)b = size;
    return b + HDR;
}

void mm_free(void *bp)
{
    if (!bp)
        return;
    size_t need = block_size(*hdr(bp));
    if (need >= GIVE_BACK) /* the fault: missing `&& bp + need - HDR == mem_heap_hi() + 1` */
        mem_sbrk(-(intptr_t)need);
}

void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    void *nb = mm_malloc(size);
    if (nb) {
        size_t old = *hdr(bp);
        memcpy(nb, bp, old < size ? old : size);
        mm_free(bp);
    }
    return nb;
}
