/* rawsyscall.c: makes a system call (getpid, harmless here) with the syscall instruction, which
 * no symbol check can see. A bump allocator otherwise. */
#include <stdint.h>
#include <string.h>

#include "memlib.h"
#include "mm.h"

int mm_init(void)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(39L) : "rcx", "r11", "memory");
    return ret < 0 ? -1 : 0;
}

void *mm_malloc(size_t size)
{
    char *p = mem_sbrk((intptr_t)((size + 31) / 16 * 16));
    return p == (void *)-1 ? NULL : p + 16;
}

void mm_free(void *ptr) { (void)ptr; }

void *mm_realloc(void *ptr, size_t size) { (void)ptr; return mm_malloc(size); }
