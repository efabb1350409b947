/*
 * cmu.c: written for the CMU 15-213 lab: bool mm_init, the standard names (renamed to mm_*
 * under DRIVER by mm.h), a heap checker taking a line number, memcpy/memset through memlib.
 * One LIFO free list, first fit, no splitting nor coalescing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define ALIGN 16
#define HEADER 16
#define ROUND(n) (((n) + ALIGN - 1) & ~(size_t)(ALIGN - 1))
#define BSIZE(p) (*(size_t *)((char *)(p) - HEADER))

static void *free_list;

bool mm_init(void)
{
    free_list = NULL;
    return true;
}

void *malloc(size_t size)
{
    size_t asize = ROUND(size ? size : 1);
    for (void **link = &free_list; *link; link = (void **)*link) {
        if (BSIZE(*link) >= asize) {
            void *p = *link;
            *link = *(void **)p;
            return p;
        }
    }
    char *p = mem_sbrk((intptr_t)(asize + HEADER));
    if (p == (void *)-1)
        return NULL;
    *(size_t *)p = asize;
    return p + HEADER;
}

void free(void *ptr)
{
    if (ptr) {
        *(void **)ptr = free_list;
        free_list = ptr;
    }
}

void *realloc(void *ptr, size_t size)
{
    if (!ptr)
        return malloc(size);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (ROUND(size) <= BSIZE(ptr))
        return ptr;
    void *q = malloc(size);
    if (q) {
        memcpy(q, ptr, BSIZE(ptr));
        free(ptr);
    }
    return q;
}

void *calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    void *p = malloc(nmemb * size);
    if (p)
        memset(p, 0, nmemb * size);
    return p;
}

bool mm_checkheap(int lineno)
{
    for (void *p = free_list; p; p = *(void **)p) {
        if ((uintptr_t)p % ALIGN || (char *)p < (char *)mem_heap_lo() ||
            (char *)p > (char *)mem_heap_hi()) {
            fprintf(stderr, "line %d: bad free block %p\n", lineno, p);
            return false;
        }
    }
    return true;
}
