/*
 * enclosing.c: FAULT: mm_free coalesces the freed block with the block that follows it without
 * checking that the next one is free. A later request then gets the merged block, which
 * strictly encloses the live block inside it: the new block starts before it and ends after
 * it. The original CS:APP driver only asked whether either end of the new block fell inside a
 * live one, and missed this.
 * traces/enclosing.rep: op 3 (line 8) frees block 1 and swallows live block 2 (8 bytes);
 * op 4 (line 9) gets 80 bytes around block 2 ("overlaps", block 2).
 *
 * Otherwise a correct allocator: a 16-byte header holds the block size and an allocated flag;
 * freed blocks go on a LIFO free list (link in the payload), searched first fit.
 */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16
#define MIN_BLOCK 32 /* header plus room for the free-list link */

static void *free_list;

static size_t *hdr(void *bp)
{
    return (size_t *)((char *)bp - HDR);
}

static void **link_of(void *bp)
{
    return (void **)bp;
}

static size_t block_size(size_t size)
{
    size_t s = HDR + ((size + 15) & ~(size_t)15);
    return s < MIN_BLOCK ? MIN_BLOCK : s;
}

static void unlink_block(void *bp)
{
    for (void **pp = &free_list; *pp; pp = link_of(*pp))
        if (*pp == bp) {
            *pp = *link_of(bp);
            return;
        }
}

int mm_init(void)
{
    free_list = NULL;
    return 0;
}

void *mm_malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t need = block_size(size);
    for (void *bp = free_list; bp; bp = *link_of(bp))
        if (hdr(bp)[0] >= need) {
            unlink_block(bp);
            hdr(bp)[1] = 1;
            return bp;
        }
    char *b = mem_sbrk((intptr_t)need);
    if (b == (void *)-1)
        return NULL;
    ((size_t *)b)[0] = need;
    ((size_t *)b)[1] = 1;
    return b + HDR;
}

void mm_free(void *bp)
{
    if (!bp)
        return;
    char *next = (char *)bp + hdr(bp)[0];
    if (next - HDR <= (char *)mem_heap_hi()) { /* the fault: lacks `&& !hdr(next)[1]` */
        unlink_block(next);
        hdr(bp)[0] += hdr(next)[0];
    }
    hdr(bp)[1] = 0;
    *link_of(bp) = free_list;
    free_list = bp;
}

void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t have = hdr(bp)[0];
    if (block_size(size) <= have)
        return bp;
    void *nb = mm_malloc(size);
    if (nb) {
        memcpy(nb, bp, have - HDR);
        mm_free(bp);
    }
    return nb;
}
