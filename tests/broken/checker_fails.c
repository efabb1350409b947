/*
 * checker_fails.c: FAULT: the heap checker has a condition inverted: it calls every block on the
 * free list bad unless the block is marked allocated, so it fails as soon as anything has been
 * freed. The allocator itself is correct: without -D the trace passes.
 * traces/checker_fails.rep: op 2 (line 7) frees block 0; under -D the checker fails before
 * op 3 (line 8) ("heap checker").
 *
 * Otherwise a correct allocator: a 16-byte header holds the block size and an allocated flag;
 * freed blocks go on a LIFO free list (link in the payload), searched first fit.
 */
#include <stdint.h>
#include <stdio.h>
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
    for (void **pp = &free_list; *pp; pp = link_of(*pp))
        if (hdr(*pp)[0] >= need) {
            void *bp = *pp;
            *pp = *link_of(bp);
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

int mm_check(int verbose)
{
    for (void *bp = free_list; bp; bp = *link_of(bp))
        if (hdr(bp)[1] != 1) { /* the fault: a free block must have the flag 0, not 1 */
            if (verbose)
                fprintf(stderr, "mm_check: free block %p is not marked allocated\n", bp);
            return 0;
        }
    return 1;
}
