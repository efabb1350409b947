/* forbidden.c: hands every request to the C library's malloc; correct, but not allowed. */
#include <stdlib.h>

#include "mm.h"

int mm_init(void) { return 0; }

void *mm_malloc(size_t size) { return aligned_alloc(16, (size + 15) / 16 * 16); }

void mm_free(void *ptr) { free(ptr); }

void *mm_realloc(void *ptr, size_t size) { return realloc(ptr, size); }
