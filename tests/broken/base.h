/*
 * base.h: the correct allocator every one-fault allocator in tests/broken/ is built from. A
 * broken file includes it and changes one thing; the rest is correct, so what the driver
 * reports can only come from that one fault.
 *
 * Two designs, both with a 16-byte header in front of each payload (word 0 a size, word 1 an
 * allocated flag), which keeps payloads 16-byte aligned on the page-aligned heap:
 *   bump (the default): word 0 holds the requested size; malloc takes fresh memory at the
 *       break, free only clears the flag, realloc moves the block and copies.
 *   free list (#define FREE_LIST): word 0 holds the block size; freed blocks go on a LIFO list
 *       whose link lives in the payload, malloc searches it first fit before taking fresh
 *       memory, realloc keeps a block that is big enough and moves it otherwise. There is no
 *       splitting and no coalescing.
 *
 * Hook points, defined by the broken file before it includes this one:
 *   ALIGN_TO          what payload sizes are rounded up to (16)
 *   SEARCH_STEP(bp)   free list: the block the first-fit search looks at after bp
 *   OWN_INIT, OWN_FREE, OWN_REALLOC
 *                     the file writes mm_init, mm_free or mm_realloc itself
 *   OWN_TAKE          the file writes take(need), which hands malloc the memory for a new block
 *                     of need bytes, or NULL (here: grow_heap(need), fresh memory at the break)
 *   OWN_GROW          free list: the file writes grow_in_place(bp, need), which realloc tries
 *                     before it moves a block (here it never grows one)
 * The helpers (hdr, block_size, grow_heap, move, link_of, absorb_next, ...) are for those.
 */
#ifndef BROKEN_BASE_H
#define BROKEN_BASE_H

#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16
#define MIN_BLOCK 32 /* header plus room for the free-list link */

#ifndef ALIGN_TO
#define ALIGN_TO 16
#endif

/* The header of the block whose payload is bp. */
static inline size_t *hdr(void *bp)
{
    return (size_t *)((char *)bp - HDR);
}

/* Header plus the payload rounded up to ALIGN_TO. */
static inline size_t block_size(size_t size)
{
    size_t s = HDR + ((size + ALIGN_TO - 1) & ~(size_t)(ALIGN_TO - 1));
    return s < MIN_BLOCK ? MIN_BLOCK : s;
}

/* Fresh memory at the break for need bytes, or NULL when memlib has no more. */
static inline char *grow_heap(size_t need)
{
    char *b = mem_sbrk((intptr_t)need);
    return b == (void *)-1 ? NULL : b;
}

/* The moving part of realloc: a new block of size bytes, holding the first old ones of bp. */
static inline void *move(void *bp, size_t old, size_t size)
{
    void *nb = mm_malloc(size);
    if (nb) {
        memcpy(nb, bp, old < size ? old : size);
        mm_free(bp);
    }
    return nb;
}

static char *take(size_t need);

#ifndef OWN_TAKE
static char *take(size_t need)
{
    return grow_heap(need);
}
#endif

/* A block of need bytes from take(), its header holding recorded and the allocated flag. */
static inline void *new_block(size_t need, size_t recorded)
{
    char *b = take(need);
    if (!b)
        return NULL;
    ((size_t *)b)[0] = recorded;
    ((size_t *)b)[1] = 1;
    return b + HDR;
}

#ifndef FREE_LIST /* ---------------------------------------------------------------- bump */

#ifndef OWN_INIT
int mm_init(void)
{
    return 0;
}
#endif

void *mm_malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2) /* block_size would overflow */
        return NULL;
    return new_block(block_size(size), size);
}

#ifndef OWN_FREE
void mm_free(void *bp)
{
    if (bp)
        hdr(bp)[1] = 0;
}
#endif

#ifndef OWN_REALLOC
void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    return move(bp, hdr(bp)[0], size);
}
#endif

#else /* ------------------------------------------------------------------------ free list */

#ifndef SEARCH_STEP
#define SEARCH_STEP(bp) (*link_of(bp))
#endif

static void *free_list;

static inline void **link_of(void *bp)
{
    return (void **)bp;
}

static inline void unlink_block(void *bp)
{
    for (void **pp = &free_list; *pp; pp = link_of(*pp))
        if (*pp == bp) {
            *pp = *link_of(bp);
            return;
        }
}

static inline void push_free(void *bp)
{
    hdr(bp)[1] = 0;
    *link_of(bp) = free_list;
    free_list = bp;
}

/* The block after bp, and whether its header lies below the break. */
static inline char *next_block(void *bp)
{
    return (char *)bp + hdr(bp)[0];
}

static inline int in_heap(char *bp)
{
    return bp - HDR <= (char *)mem_heap_hi();
}

/* Makes the block after bp part of bp, taking it off the free list if it is there. */
static inline void absorb_next(void *bp)
{
    char *next = next_block(bp);
    unlink_block(next);
    hdr(bp)[0] += hdr(next)[0];
}

static int grow_in_place(void *bp, size_t need);

#ifndef OWN_GROW
static int grow_in_place(void *bp, size_t need)
{
    (void)bp;
    (void)need;
    return 0;
}
#endif

#ifndef OWN_INIT
int mm_init(void)
{
    free_list = NULL; /* the driver resets the heap between runs: forget the old blocks */
    return 0;
}
#endif

void *mm_malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2) /* block_size would overflow */
        return NULL;
    size_t need = block_size(size);
    for (void *bp = free_list; bp; bp = SEARCH_STEP(bp))
        if (hdr(bp)[0] >= need) {
            unlink_block(bp);
            hdr(bp)[1] = 1;
            return bp;
        }
    return new_block(need, need);
}

#ifndef OWN_FREE
void mm_free(void *bp)
{
    if (bp)
        push_free(bp);
}
#endif

#ifndef OWN_REALLOC
void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t have = hdr(bp)[0], need = block_size(size);
    if (need <= have || grow_in_place(bp, need))
        return bp;
    return move(bp, have - HDR, size);
}
#endif

#endif /* FREE_LIST */

#endif /* BROKEN_BASE_H */
