/*
 * control_original.c: a CORRECT allocator written the way the original CS:APP lab asked for
 * (int mm_init, mm_malloc/mm_free/mm_realloc, a team_t record, no mm_calloc, no heap checker).
 * The broken-allocator tests use it as a control: the driver must accept it on every trace
 * (exit status 0), serving the trace's calloc ops itself with mm_malloc plus zeroing.
 *
 * Design: a 16-byte header holds the block size; freed blocks go on one LIFO free list whose
 * link lives in the payload; malloc takes the first free block that fits, splitting off the rest
 * when the rest can stand as a block of its own, and extends the heap otherwise; realloc grows
 * the heap's last block in place. There is no coalescing, which costs utilization but not
 * correctness.
 */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

team_t team = {"control", "Original Style", "orig@example.edu", "", ""};

#define HDR 16       /* keeps payloads 16-byte aligned on the page-aligned heap */
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

int mm_init(void)
{
    free_list = NULL; /* the driver resets the heap between runs: forget the old blocks */
    return 0;
}

void *mm_malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2) /* block_size would overflow */
        return NULL;
    size_t need = block_size(size);
    void **prev = &free_list;
    for (void *bp = free_list; bp; prev = link_of(bp), bp = *link_of(bp)) {
        size_t have = *hdr(bp);
        if (have < need)
            continue;
        *prev = *link_of(bp);
        if (have - need >= MIN_BLOCK) {
            void *rest = (char *)bp + need;
            *hdr(rest) = have - need;
            *link_of(rest) = free_list;
            free_list = rest;
            *hdr(bp) = need;
        }
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
    if (size == 0) {
        mm_free(bp);
        return NULL;
    }
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t have = *hdr(bp), need = block_size(size);
    if (need <= have)
        return bp;
    /* The last block grows in place: without coalescing, a block that is reallocated again and
     * again (as in the classic realloc traces) would otherwise leave a trail of holes. */
    if ((char *)bp - HDR + have == (char *)mem_heap_hi() + 1) {
        if (mem_sbrk((intptr_t)(need - have)) == (void *)-1)
            return NULL;
        *hdr(bp) = need;
        return bp;
    }
    void *nb = mm_malloc(size);
    if (!nb)
        return NULL;
    memcpy(nb, bp, have - HDR < size ? have - HDR : size);
    mm_free(bp);
    return nb;
}
