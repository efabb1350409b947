/* noisy.c: floods stderr from mm_init until the timeout stops it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

int mm_init(void)
{
    for (;;)
        fputs("noise noise noise noise noise noise noise noise noise noise noise noise\n", stderr);
}

void *mm_malloc(size_t size) { (void)size; return NULL; }

void mm_free(void *ptr) { (void)ptr; }

void *mm_realloc(void *ptr, size_t size) { (void)ptr; (void)size; return NULL; }
