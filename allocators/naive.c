/* allocators/naive.c: the bump allocator, the simplest correct one and the floor of every score.
 *
 * malloc extends the heap by the request plus a header and never reuses anything: free does
 * nothing, realloc always copies into a new block. The header (one ALIGNMENT-sized slot, so the
 * payload after it stays aligned) holds the payload size, which realloc needs to know how much
 * to copy. */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "memlib.h"
#include "mm.h"

/* The header takes a whole alignment unit so that the payload behind it is aligned too. */
#define HEADER_SIZE ALIGNMENT

_Static_assert(HEADER_SIZE >= sizeof(size_t), "the header must hold a size");

static size_t align_up(size_t n)
{
    return (n + ALIGNMENT - 1) & ~(size_t)(ALIGNMENT - 1);
}

int mm_init(void)
{
    /* The heap starts page aligned; nothing else to set up. */
    return 0;
}

void *mm_malloc(size_t size)
{
    if (size > SIZE_MAX - HEADER_SIZE - ALIGNMENT)
        return NULL;
    char *block = mem_sbrk((intptr_t)(HEADER_SIZE + align_up(size)));
    if (block == (void *)-1)
        return NULL;
    *(size_t *)block = size;
    return block + HEADER_SIZE;
}

void mm_free(void *ptr)
{
    (void)ptr;
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
    size_t old = *(size_t *)((char *)ptr - HEADER_SIZE);
    memcpy(moved, ptr, old < size ? old : size);
    return moved;
}

void *mm_calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    /* The heap is reset between timing runs: its bytes need not be zero. */
    void *p = mm_malloc(nmemb * size);
    if (p)
        memset(p, 0, nmemb * size);
    return p;
}

int mm_check(int verbose)
{
    (void)verbose;
    /* Nothing is ever freed or moved: there is no invariant to break. */
    return 1;
}
