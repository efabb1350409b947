/*
 * hang.c: FAULT: the first-fit search steps from the head of the free list each time
 * (`bp = *link_of(free_list)`) instead of from the current block, so with two free blocks that
 * are both too small it bounces on the second one forever.
 * traces/hang.rep: op 4 (line 9) asks for 64 bytes with two free 16-byte blocks on the list
 * ("timed out").
 *
 * Otherwise a correct allocator: a 16-byte header holds the block size; freed blocks go on a
 * LIFO free list (link in the payload).
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
    for (void *bp = free_list; bp; bp = *link_of(free_list)) /* the fault: not *link_of(bp) */
        if (*hdr(bp) >= need) {
            unlink_block(bp);
            return bp;
        }
    char *b = mem_sbrk((intptr_t)need);
    if (b == (void *)-1)
        return NULL;
    *(size_t *)b = need;
    return b + HDR;
}

void mm_free(void *bp)
{
    if (!bp)
        return;
    *link_of(bp) = free_list;
    free_list = bp;
}

void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t have = *hdr(bp);
    if (block_size(size) <= have)
        return bp;
    void *nb = mm_malloc(size);
    if (nb) {
        memcpy(nb, bp, have - HDR);
        mm_free(bp);
    }
    return nb;
}
