/* driver/trace.h: trace files (.rep, and .rep.xz read through xz) and their strict validation.
 * Every malformed input is rejected with "FILE:LINE: reason" before any allocator runs. */
#ifndef DRIVER_TRACE_H
#define DRIVER_TRACE_H

#include <stddef.h>

enum op_type { OP_ALLOC = 'a', OP_REALLOC = 'r', OP_FREE = 'f', OP_CALLOC = 'c' };

struct trace_op {
    char type;     /* enum op_type */
    int id;        /* block id; -1 for `f -1` (free(NULL)) */
    size_t size;   /* bytes (for calloc: nmemb * size, already checked for overflow) */
    size_t nmemb;  /* calloc only */
    int line;      /* line in the file, for messages */
};

struct trace {
    char *file;        /* path as given */
    char *name;        /* file name without directory and .rep/.rep.xz */
    double weight;     /* line 1 (CMU) or line 4 (classic); informational */
    int num_ids;       /* ids of the ops: 0 to num_ids - 1 (the header's, or the renumbered) */
    int num_ops;
    struct trace_op *ops;
    int *file_id;      /* the file's id of each renumbered id; NULL when the ids are the file's */
};

/* Parses a whole trace held in memory (text of length len, not necessarily NUL-terminated).
 * Returns 0, or -1 with "FILE:LINE: reason" in err. Never allocates more than O(len). */
int trace_parse(const char *file, const char *text, size_t len, struct trace *t,
                char *err, size_t errlen);

/* Reads and parses a file (decompressing .xz). Same contract as trace_parse. */
int trace_read(const char *path, struct trace *t, char *err, size_t errlen);

/* The id the file gives the block the driver calls id (for messages and --series files). */
int trace_file_id(const struct trace *t, int id);

void trace_free(struct trace *t);

#endif
