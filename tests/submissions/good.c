/* good.c: implicit free list with boundary tags, first fit, immediate coalescing and in-place
 * realloc. A test submission for tools/grade: simple and correct, not fast. */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "memlib.h"
#include "mm.h"

#define WORD 8
#define ROUND(n) (((n) + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT)
#define MIN_BLOCK ROUND(2 * WORD + 1)
#define CHUNK 4096

#define GET(p) (*(size_t *)(p))
#define PUT(p, v) (*(size_t *)(p) = (v))
#define SIZE(p) (GET(p) & ~(size_t)7)
#define USED(p) (GET(p) & 1)
#define HDR(bp) ((char *)(bp) - WORD)
#define FTR(bp) ((char *)(bp) + SIZE(HDR(bp)) - 2 * WORD)
#define NEXT(bp) ((char *)(bp) + SIZE(HDR(bp)))
#define PREV(bp) ((char *)(bp) - SIZE((char *)(bp) - 2 * WORD))

static char *first; /* payload of the first block (the epilogue when the heap is empty) */

static void mark(char *bp, size_t size, int used)
{
    PUT(HDR(bp), size | (size_t)used);
    PUT(FTR(bp), size | (size_t)used);
}

static char *coalesce(char *bp)
{
    size_t size = SIZE(HDR(bp));
    int prev_used = bp == first || USED(bp - 2 * WORD);
    int next_used = USED(HDR(NEXT(bp)));
    if (!next_used)
        size += SIZE(HDR(NEXT(bp)));
    if (!prev_used) {
        bp = PREV(bp);
        size += SIZE(HDR(bp));
    }
    mark(bp, size, 0);
    return bp;
}

/* Grows the heap by size bytes (a multiple of ALIGNMENT) as one free block. */
static char *extend(size_t size)
{
    char *bp = mem_sbrk((intptr_t)size);
    if (bp == (void *)-1)
        return NULL;
    mark(bp, size, 0);          /* its header replaces the old epilogue */
    PUT(HDR(NEXT(bp)), 1);      /* new epilogue: size 0, used */
    return coalesce(bp);
}

int mm_init(void)
{
    /* Padding so that the first payload is aligned, the prologue word, the epilogue. */
    char *p = mem_sbrk(ROUND(2 * WORD));
    if (p == (void *)-1)
        return -1;
    first = p + ROUND(2 * WORD);
    PUT(first - 2 * WORD, 1);   /* prologue: reads as a used block's footer */
    PUT(first - WORD, 1);       /* epilogue */
    return 0;
}

static size_t adjust(size_t size)
{
    size_t a = ROUND(size + 2 * WORD);
    return a < MIN_BLOCK ? MIN_BLOCK : a;
}

static void place(char *bp, size_t asize)
{
    size_t size = SIZE(HDR(bp));
    if (size - asize >= MIN_BLOCK) {
        mark(bp, asize, 1);
        mark(NEXT(bp), size - asize, 0);
        coalesce(NEXT(bp));
    } else {
        mark(bp, size, 1);
    }
}

void *mm_malloc(size_t size)
{
    if (size == 0 || size > ((size_t)1 << 40))
        return NULL;
    size_t asize = adjust(size);
    char *bp;
    for (bp = first; SIZE(HDR(bp)) > 0; bp = NEXT(bp))
        if (!USED(HDR(bp)) && SIZE(HDR(bp)) >= asize)
            break;
    if (SIZE(HDR(bp)) == 0) {
        bp = extend(asize > CHUNK ? asize : CHUNK);
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
    mark(ptr, SIZE(HDR(ptr)), 0);
    coalesce(ptr);
}

void *mm_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return mm_malloc(size);
    if (size == 0) {
        mm_free(ptr);
        return NULL;
    }
    char *bp = ptr;
    size_t asize = adjust(size), cur = SIZE(HDR(bp));
    if (asize <= cur)
        return bp;
    char *next = NEXT(bp);
    if (!USED(HDR(next)) && cur + SIZE(HDR(next)) >= asize) {
        mark(bp, cur + SIZE(HDR(next)), 1);
        return bp;
    }
    if (SIZE(HDR(next)) == 0) { /* last block: grow the heap under it */
        if (mem_sbrk((intptr_t)(asize - cur)) == (void *)-1)
            return NULL;
        mark(bp, asize, 1);
        PUT(HDR(NEXT(bp)), 1);
        return bp;
    }
    void *q = mm_malloc(size);
    if (!q)
        return NULL;
    memcpy(q, bp, cur - 2 * WORD);
    mm_free(bp);
    return q;
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

int mm_check(int verbose)
{
    int prev_free = 0;
    for (char *bp = first; SIZE(HDR(bp)) > 0; bp = NEXT(bp)) {
        int bad = (uintptr_t)bp % ALIGNMENT || GET(HDR(bp)) != GET(FTR(bp)) ||
                  (prev_free && !USED(HDR(bp)));
        if (bad) {
            if (verbose)
                fprintf(stderr, "mm_check: bad block at %p\n", (void *)bp);
            return 0;
        }
        prev_free = !USED(HDR(bp));
    }
    return 1;
}
