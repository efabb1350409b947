/*
 * segfault.c: FAULT: mm_free does not ignore NULL: it writes its "freed" mark into the header
 * in front of the pointer, i.e. just below address 0.
 * traces/segfault.rep: op 1 (line 6) is `f -1`, free(NULL) ("signal SIGSEGV").
 *
 * Otherwise a correct bump allocator: a 16-byte header holds the requested size and a freed
 * mark, realloc moves and copies.
 */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

#define HDR 16

static size_t *hdr(void *bp)
{
    return (size_t *)((char *)bp - HDR);
}

int mm_init(void)
{
    return 0;
}

void *mm_malloc(size_t size)
{
    if (size > PTRDIFF_MAX / 2)
        return NULL;
    size_t need = HDR + ((size + 15) & ~(size_t)15);
    char *b = mem_sbrk((intptr_t)need);
    if (b == (void *)-1)
        return NULL;
    ((size_t *)b)[0] = size;
    ((size_t *)b)[1] = 0;
    return b + HDR;
}

void mm_free(void *bp)
{
    hdr(bp)[1] = 1; /* the fault: no check for NULL */
}

void *mm_realloc(void *bp, size_t size)
{
    if (!bp)
        return mm_malloc(size);
    void *nb = mm_malloc(size);
    if (nb) {
        size_t old = *hdr(bp);
        memcpy(nb, bp, old < size ? old : size);
        mm_free(bp);
    }
    return nb;
}
