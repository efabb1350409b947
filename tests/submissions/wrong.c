/* wrong.c: every allocation gets the same block, so live blocks overlap. */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

static char *block;

int mm_init(void)
{
    block = mem_sbrk(1 << 20);
    return block == (void *)-1 ? -1 : 0;
}

void *mm_malloc(size_t size) { return size <= (1 << 20) ? block : NULL; }

void mm_free(void *ptr) { (void)ptr; }

void *mm_realloc(void *ptr, size_t size) { (void)ptr; return mm_malloc(size); }
