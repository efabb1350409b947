/* compile_error.c: does not compile (a missing semicolon and an undeclared name). */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

int mm_init(void) { return 0 }

void *mm_malloc(size_t size) { return heap_top + size; }
