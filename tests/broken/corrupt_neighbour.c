/*
 * corrupt_neighbour.c: FAULT: mm_free tags the freed block with a footer computed in size_t
 * units instead of bytes (`(size_t *)bp + size - 1`), so the tag lands 8 times too far: inside
 * the payload of the block that follows.
 * traces/corrupt_neighbour.rep: freeing block 0 (op 2, line 7) writes into block 1's payload;
 * the driver finds block 1 "corrupted" at the latest when block 1 is freed (op 3, line 8).
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size, realloc moves
 * and copies.
 */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16
#define FREED_TAG ((size_t)0xf4eef4eef4eef4ee)

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
    if (!bp)
        return;
    size_t size = *hdr(bp);
    if (size >= sizeof(size_t))
        *((size_t *)bp + size - 1) = FREED_TAG; /* the fault: meant the payload's last word */
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
