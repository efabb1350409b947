/* writeout.c: tries to leave files outside its scratch folder: next to it, in the grader's
 * output folder, in /tmp and in /var/tmp, through stdio and through open(2); then allocates
 * correctly. */
#include <fcntl.h>
#include <stdio.h>
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

static const char *targets[] = {"../escaped-writeout", "../../escaped-writeout",
                                "/tmp/mmlab-grade-escaped", "/var/tmp/mmlab-grade-escaped"};

int mm_init(void)
{
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        FILE *f = fopen(targets[i], "w");
        if (f) {
            fputs("escaped\n", f);
            fclose(f);
        }
        int fd = open(targets[i], O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            write(fd, "escaped\n", 8);
            close(fd);
        }
    }
    return 0;
}

void mm_free(void *ptr) { (void)ptr; }
