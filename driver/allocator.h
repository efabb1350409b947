/* driver/allocator.h: what the driver knows of an allocator under test.
 *
 * The allocator built into mdriver (MM=..., default mm.c) is wrapped by driver/mmshim.c.
 * Others named by --vs or -l come from allocators/: the simulated ones (naive, implicit: they
 * use memlib) and the real ones (libc, jemalloc, mimalloc, tcmalloc: their own memory, their
 * own statistics). driver/allocator.c owns the registry and the loading. */
#ifndef DRIVER_ALLOCATOR_H
#define DRIVER_ALLOCATOR_H

#include <stddef.h>

struct allocator {
    const char *name;
    int simulated; /* 1: uses memlib, utilization from the heap's high-water mark */
    int (*init)(void);                       /* 0 on success */
    void *(*malloc)(size_t size);
    void (*free)(void *ptr);
    void *(*realloc)(void *ptr, size_t size);
    void *(*calloc)(size_t nmemb, size_t size); /* NULL: served by malloc + memset */
    /* NULL: no heap checker; nonzero = consistent. line: the trace line of the op it runs
     * before (0 after the last), for CMU's mm_checkheap(lineno). */
    int (*check)(int verbose, int line);
    int check_verbose; /* check's verbose flag is the allocator's (CMU's and the original
                        * handout's checkers have none: asked again, they repeat themselves) */
    /* Real allocators: bytes of memory the allocator holds by its own statistics, or 0 when it
     * cannot tell (utilization is then reported as null). NULL for simulated ones. */
    size_t (*footprint)(void);
};

/* The allocator linked into this mdriver (driver/mmshim.c, which also has mm_team()). */
const struct allocator *mm_builtin(void);


/* Whether name is one of the allocators below; if not, a message listing them goes into err. */
int allocator_known(const char *name, char *err, size_t errlen);

/* Finds an allocator by name ("mm", "naive", "implicit", "libc", "jemalloc", "mimalloc",
 * "tcmalloc"). Returns NULL and writes a reason into err when it is unknown or not installed. */
const struct allocator *allocator_find(const char *name, char *err, size_t errlen);

#endif
