/* tools/rectrace.d/format.h: the binary log written by preload.c and read by tools/rectrace
 * (which mirrors these layouts with Python's struct module: keep the two in step).
 * All fields are in host byte order; the converter reads logs on the machine that made them. */
#ifndef RECTRACE_FORMAT_H
#define RECTRACE_FORMAT_H

#include <stdint.h>

#define LOG_MAGIC "RTLOG\0\0\0"
#define LOG_VERSION 1
/* An empty file every process image that loads the library creates in RECTRACE_DIR: a run
 * without logs then made no heap call, rather than never loading the library (a static program). */
#define LOADED_MARK "loaded"

struct log_header {              /* 64 + 192 = 256 bytes */
    char magic[8];               /* LOG_MAGIC */
    uint32_t version;            /* LOG_VERSION */
    uint32_t rec_size;           /* sizeof(struct log_rec) */
    uint32_t pid, ppid;
    uint32_t seq;                /* how many images this pid ran before this one (exec) */
    uint32_t reserved[9];
    char exe[192];               /* /proc/self/exe, NUL-terminated, possibly cut */
};

/* One heap call. Fields by op (r: the returned pointer, 0 for NULL/failure):
 *   OP_MALLOC          a=size                       r
 *   OP_CALLOC          a=nmemb  b=size              r
 *   OP_REALLOC         a=old    b=size              r
 *   OP_REALLOCARRAY    a=old    b=nmemb  c=size     r
 *   OP_FREE            a=ptr                        (never NULL: free(NULL) is not logged)
 *   OP_POSIX_MEMALIGN, OP_ALIGNED_ALLOC, OP_MEMALIGN, OP_VALLOC, OP_PVALLOC
 *                      a=alignment (0 for valloc/pvalloc)  b=size  r
 *   OP_END             a=records logged  b=1 if RECTRACE_LIMIT cut the log
 *                      (written at exit; calls made after it, by libc's own exit code, follow)
 */
struct log_rec {                 /* 40 bytes */
    uint8_t op;
    uint8_t pad[3];
    uint32_t tid;                /* kernel thread id of the caller */
    uint64_t a, b, c, r;
};

enum {
    OP_MALLOC = 'm', OP_CALLOC = 'c', OP_REALLOC = 'r', OP_REALLOCARRAY = 'R', OP_FREE = 'f',
    OP_POSIX_MEMALIGN = 'p', OP_ALIGNED_ALLOC = 'A', OP_MEMALIGN = 'M', OP_VALLOC = 'v',
    OP_PVALLOC = 'V', OP_END = 'E'
};

#endif
