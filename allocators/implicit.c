/* allocators/implicit.c: the textbook allocator (CS:APP, section 9.9.12), a reference point.
 *
 * Every block has a 4-byte header and a 4-byte footer (boundary tags) holding its size and an
 * allocated bit. Blocks lie end to end, so the list of all blocks, free or not, is walked by
 * adding sizes: the implicit free list. malloc takes the first free block that fits (first fit),
 * splits off the rest when it can hold a block, and grows the heap by at least CHUNK_SIZE when
 * none fits. free coalesces with both neighbours at once, found through the tags. realloc is
 * malloc, copy, free, as in the book.
 *
 * Heap layout: padding so that payloads are ALIGNMENT-aligned, a prologue block (header and
 * footer, allocated: no block needs a left-edge case), the blocks, and an epilogue header of size
 * 0 (allocated: no right-edge case). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "memlib.h"
#include "mm.h"

#define WORD_SIZE 4                      /* a header or footer */
#define TAGS_SIZE (2 * WORD_SIZE)        /* header + footer: the overhead of every block */
#define CHUNK_SIZE (1 << 12)             /* least the heap grows by */
#define ALLOCATED 1u                     /* low bit of a tag */
#define FLAG_BITS 7u /* sizes (the prologue's is 8, the others multiples of ALIGNMENT) are
                        multiples of 8, leaving the three low bits of a tag for flags */
#define MAX_BLOCK ((size_t)UINT32_MAX & ~(size_t)(ALIGNMENT - 1)) /* largest size a tag holds */

/* Padding before the prologue: the prologue header and footer and the epilogue header precede
 * the first payload, which must be aligned (the heap itself starts page aligned). */
#define PADDING ((ALIGNMENT - (3 * WORD_SIZE) % ALIGNMENT) % ALIGNMENT)

static size_t align_up(size_t n)
{
    return (n + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
}

/* Tags, addressed from a block pointer bp (the payload address). */
static uint32_t get(const char *p) { return *(const uint32_t *)p; }
static void put(char *p, size_t size, uint32_t alloc) { *(uint32_t *)p = (uint32_t)size | alloc; }
static char *header(char *bp) { return bp - WORD_SIZE; }
static size_t size_of(char *bp) { return get(header(bp)) & ~FLAG_BITS; }
static int is_allocated(char *bp) { return get(header(bp)) & ALLOCATED; }
static char *footer(char *bp) { return bp + size_of(bp) - TAGS_SIZE; }
static char *next_block(char *bp) { return bp + size_of(bp); }
static char *prev_block(char *bp)
{
    return bp - (get(bp - TAGS_SIZE) & ~FLAG_BITS);
}

static void set_block(char *bp, size_t size, uint32_t alloc)
{
    put(header(bp), size, alloc);
    put(bp + size - TAGS_SIZE, size, alloc);
}

static char *first_block; /* the prologue's payload */

/* Merges the free block bp with whichever neighbours are free; returns the merged block. */
static char *coalesce(char *bp)
{
    char *prev = prev_block(bp), *next = next_block(bp);
    size_t size = size_of(bp);
    if (!is_allocated(next))
        size += size_of(next);
    if (!is_allocated(prev)) {
        size += size_of(prev);
        bp = prev;
    }
    set_block(bp, size, 0);
    return bp;
}

/* Grows the heap by bytes (a multiple of ALIGNMENT) as one free block, coalesced with the last
 * block if free. The old epilogue becomes the new block's header. */
static char *extend_heap(size_t bytes)
{
    char *bp = mem_sbrk((intptr_t)bytes);
    if (bp == (void *)-1)
        return NULL;
    set_block(bp, bytes, 0);
    put(header(next_block(bp)), 0, ALLOCATED);
    return coalesce(bp);
}

static char *find_fit(size_t asize)
{
    for (char *bp = first_block; size_of(bp) > 0; bp = next_block(bp))
        if (!is_allocated(bp) && size_of(bp) >= asize)
            return bp;
    return NULL;
}

/* Allocates asize bytes at the start of free block bp, splitting off the remainder when it is
 * big enough to be a block of its own. */
static void place(char *bp, size_t asize)
{
    size_t size = size_of(bp);
    size_t min_block = align_up(TAGS_SIZE + 1);
    if (size - asize >= min_block) {
        set_block(bp, asize, ALLOCATED);
        set_block(next_block(bp), size - asize, 0);
    } else {
        set_block(bp, size, ALLOCATED);
    }
}

int mm_init(void)
{
    char *start = mem_sbrk(PADDING + 3 * WORD_SIZE);
    if (start == (void *)-1)
        return -1;
    char *prologue = start + PADDING + WORD_SIZE;
    set_block(prologue, TAGS_SIZE, ALLOCATED);
    put(header(next_block(prologue)), 0, ALLOCATED);
    first_block = prologue;
    return extend_heap(CHUNK_SIZE) ? 0 : -1;
}

void *mm_malloc(size_t size)
{
    /* malloc(0) gets a minimum block, as glibc's does: a unique pointer the caller may free. */
    if (size > MAX_BLOCK - TAGS_SIZE)
        return NULL;
    size_t asize = align_up(size + TAGS_SIZE);
    char *bp = find_fit(asize);
    if (!bp) {
        bp = extend_heap(asize > CHUNK_SIZE ? asize : CHUNK_SIZE);
        if (!bp)
            return NULL;
    }
    place(bp, asize);
    return bp;
}

void mm_free(void *ptr)
{
    if (!ptr)
        return;
    char *bp = ptr;
    set_block(bp, size_of(bp), 0);
    coalesce(bp);
}

void *mm_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return mm_malloc(size);
    if (size == 0) {
        mm_free(ptr);
        return NULL;
    }
    void *moved = mm_malloc(size);
    if (!moved)
        return NULL;
    size_t old = size_of(ptr) - TAGS_SIZE;
    memcpy(moved, ptr, old < size ? old : size);
    mm_free(ptr);
    return moved;
}

void *mm_calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    void *p = mm_malloc(nmemb * size);
    if (p)
        memset(p, 0, nmemb * size);
    return p;
}

/* Walks every block and checks what the code above relies on: aligned payloads, matching
 * tags, blocks inside the heap, no two free blocks in a row, and the prologue and epilogue. */
int mm_check(int verbose)
{
    char *lo = mem_heap_lo(), *hi = mem_heap_hi();
    if (size_of(first_block) != TAGS_SIZE || !is_allocated(first_block)) {
        if (verbose)
            fprintf(stderr, "implicit: bad prologue\n");
        return 0;
    }
    int prev_free = 0;
    char *bp = next_block(first_block);
    for (; size_of(bp) > 0; bp = next_block(bp)) {
        const char *why = NULL;
        if ((uintptr_t)bp % ALIGNMENT)
            why = "payload not aligned";
        else if (bp + size_of(bp) - WORD_SIZE > hi + 1)
            why = "block runs past the heap";
        else if (get(header(bp)) != get(footer(bp)))
            why = "header and footer differ";
        else if (prev_free && !is_allocated(bp))
            why = "two free blocks in a row (not coalesced)";
        if (why) {
            if (verbose)
                fprintf(stderr, "implicit: block at offset %td: %s\n", bp - lo, why);
            return 0;
        }
        prev_free = !is_allocated(bp);
    }
    if (!is_allocated(bp) || header(bp) != hi + 1 - WORD_SIZE) {
        if (verbose)
            fprintf(stderr, "implicit: bad epilogue at offset %td\n", header(bp) - lo);
        return 0;
    }
    return 1;
}
