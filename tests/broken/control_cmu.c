/*
 * control_cmu.c: a CORRECT allocator written the way the CMU lab asks for (bool mm_init,
 * malloc/free/realloc/calloc renamed by mm.h under DRIVER, bool mm_checkheap(int), and
 * mem_memcpy/mem_memset through mm.h's memcpy/memset macros). The broken-allocator tests use it
 * as a control: the driver must accept it on every trace, also with the heap checker on (-D).
 *
 * Design: an implicit list with boundary tags (8-byte header and footer holding size | alloc),
 * a prologue and an epilogue block, first fit, splitting, immediate coalescing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define WSIZE 8
#define DSIZE 16
#define MIN_BLOCK 32
#define CHUNK 4096

static char *heap_first; /* payload of the prologue block */

static size_t word(const void *p)
{
    return *(const size_t *)p;
}

static void set_word(void *p, size_t v)
{
    *(size_t *)p = v;
}

static size_t size_of(const void *tag)
{
    return word(tag) & ~(size_t)15;
}

static bool is_alloc(const void *tag)
{
    return word(tag) & 1;
}

static char *header(void *bp)
{
    return (char *)bp - WSIZE;
}

static char *footer(void *bp)
{
    return (char *)bp + size_of(header(bp)) - DSIZE;
}

static char *next_block(void *bp)
{
    return (char *)bp + size_of(header(bp));
}

static char *prev_block(void *bp)
{
    return (char *)bp - size_of((char *)bp - DSIZE);
}

static void set_block(void *bp, size_t size, bool alloc)
{
    set_word(header(bp), size | alloc);
    set_word(footer(bp), size | alloc);
}

static void *coalesce(char *bp)
{
    size_t size = size_of(header(bp));
    bool prev_free = !is_alloc(bp - DSIZE), next_free = !is_alloc(header(next_block(bp)));
    if (next_free)
        size += size_of(header(next_block(bp)));
    if (prev_free) {
        bp = prev_block(bp);
        size += size_of(header(bp));
    }
    set_block(bp, size, false);
    return bp;
}

/* Grows the heap by size bytes: the old epilogue becomes the new free block's header. */
static void *extend(size_t size)
{
    char *bp = mem_sbrk((intptr_t)size);
    if (bp == (void *)-1)
        return NULL;
    set_block(bp, size, false);
    set_word(header(next_block(bp)), 0 | 1);
    return coalesce(bp);
}

bool mm_init(void)
{
    char *p = mem_sbrk(4 * WSIZE);
    if (p == (void *)-1)
        return false;
    set_word(p, 0);                      /* padding: the first payload lands 16-aligned */
    set_word(p + WSIZE, DSIZE | 1);      /* prologue header */
    set_word(p + 2 * WSIZE, DSIZE | 1);  /* prologue footer */
    set_word(p + 3 * WSIZE, 0 | 1);      /* epilogue header */
    heap_first = p + 2 * WSIZE;
    return true;
}

static size_t adjusted(size_t size)
{
    size_t s = (size + DSIZE + 15) & ~(size_t)15; /* header + payload + footer, 16-rounded */
    return s < MIN_BLOCK ? MIN_BLOCK : s;
}

static void place(char *bp, size_t need)
{
    size_t have = size_of(header(bp));
    if (have - need >= MIN_BLOCK) {
        set_block(bp, need, true);
        set_block(next_block(bp), have - need, false);
    } else {
        set_block(bp, have, true);
    }
}

void *malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2) /* adjusted() would overflow */
        return NULL;
    size_t need = adjusted(size);
    for (char *bp = heap_first; size_of(header(bp)) > 0; bp = next_block(bp)) {
        if (!is_alloc(header(bp)) && size_of(header(bp)) >= need) {
            place(bp, need);
            return bp;
        }
    }
    char *bp = extend(need > CHUNK ? need : CHUNK);
    if (!bp)
        return NULL;
    place(bp, need);
    return bp;
}

void free(void *bp)
{
    if (!bp)
        return;
    set_block(bp, size_of(header(bp)), false);
    coalesce(bp);
}

void *realloc(void *bp, size_t size)
{
    if (!bp)
        return malloc(size);
    if (size == 0) {
        free(bp);
        return NULL;
    }
    size_t have = size_of(header(bp)) - DSIZE;
    if (size <= have)
        return bp;
    void *nb = malloc(size);
    if (!nb)
        return NULL;
    memcpy(nb, bp, have);
    free(bp);
    return nb;
}

void *calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    void *bp = malloc(nmemb * size);
    if (bp)
        memset(bp, 0, nmemb * size);
    return bp;
}

bool mm_checkheap(int lineno)
{
    char *lo = mem_heap_lo(), *hi = mem_heap_hi();
    bool prev_free = false;
    char *bp;
    for (bp = heap_first; size_of(header(bp)) > 0; bp = next_block(bp)) {
        const char *why = NULL;
        if ((uintptr_t)bp % 16)
            why = "misaligned payload";
        else if (bp < lo || footer(bp) + WSIZE - 1 > hi)
            why = "block outside the heap";
        else if (word(header(bp)) != word(footer(bp)))
            why = "header and footer differ";
        else if (prev_free && !is_alloc(header(bp)))
            why = "two free blocks in a row";
        if (why) {
            fprintf(stderr, "mm_checkheap(%d): %s at %p\n", lineno, why, (void *)bp);
            return false;
        }
        prev_free = !is_alloc(header(bp));
    }
    if (header(bp) != hi - WSIZE + 1) {
        fprintf(stderr, "mm_checkheap(%d): epilogue not at the heap's end\n", lineno);
        return false;
    }
    return true;
}
