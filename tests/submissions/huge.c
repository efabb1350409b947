/* huge.c: asks the system for 20 GB from mm_init. mm_init fails if it got them (so a grade
 * shows it); it never touches them, so even an unprotected run cannot exhaust the machine. */
#include <sys/mman.h>
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
    size_t n = (size_t)20 << 30;
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
        munmap(p, n);
        return -1;
    }
    return 0;
}

void mm_free(void *ptr) { (void)ptr; }
