/*
 * calloc_nozero.c: FAULT: mm_calloc checks nmemb * size for overflow and allocates, but never
 * zeroes the block. Fresh heap memory happens to be zero, so the fault shows only when calloc
 * reuses a freed block.
 * traces/calloc_nozero.rep: op 2 (line 7) callocs 64 bytes into the block that held block 0
 * ("calloc did not zero").
 *
 * Otherwise a correct allocator: a 16-byte header holds the block size; freed blocks go on a
 * LIFO free list (link in the payload), searched first fit.
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
        if (*hdr(*pp) >= need) {
            void *bp = *pp;
            *pp = *link_of(bp);
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

void *mm_calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    return mm_malloc(nmemb * size); /* the fault: no memset(bp, 0, nmemb * size) */
}
