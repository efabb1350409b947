/*
 * fuzz_trace.c: libFuzzer target for the trace reader, trace_parse() of driver/trace.h.
 *
 * Beyond "no crash, no leak, no undefined behaviour" (the sanitizers' part), every input must
 * end in one of the two outcomes the contract allows, and this target checks them:
 *  - rejected: -1 and exactly one line "FILE:LINE: reason", LINE within the text;
 *  - accepted: 0 and a trace whose ops keep the promises the replayer relies on (known op
 *    letters, ids in range, -1 only for free, calloc sizes multiplied without overflow, line
 *    numbers rising and inside the text);
 *  - either way, memory bounded by the text's length (trace.h: "never allocates more than
 *    O(len)"), whatever the header claims: the peak of the bytes allocated while parsing may
 *    not pass BYTES_PER_TEXT_BYTE per byte of text plus BYTES_BASE, counted by the sanitizer
 *    allocator's hooks.
 * Any broken promise calls abort(), which libFuzzer reports as a crash with the input saved.
 */
#include <sanitizer/allocator_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/trace.h"

#define FILE_NAME "fuzz.rep"
/* An op line is at least 4 bytes ("f 0\n") and becomes one struct trace_op; the op array may
 * be twice what it holds while it grows, and the parser's tables may be as big again. */
#define BYTES_PER_TEXT_BYTE (4 * sizeof(struct trace_op))
#define BYTES_BASE 65536

/* Thread-local: the hooks run in libFuzzer's own threads too (its memory watcher), whose
 * frees of older blocks would make the count wrap below zero. */
static _Thread_local int watching;     /* count allocations only inside trace_parse */
static _Thread_local size_t now, peak; /* bytes allocated while watching, and their peak */

static void on_malloc(const volatile void *ptr, size_t size)
{
    (void)ptr;
    if (watching && (now += size) > peak)
        peak = now;
}

static void on_free(const volatile void *ptr)
{
    if (watching && ptr)
        now -= __sanitizer_get_allocated_size(ptr);
}

static void require(int ok, const char *what, const char *detail)
{
    if (!ok) {
        fprintf(stderr, "fuzz_trace: broken promise: %s (%s)\n", what, detail);
        abort();
    }
}

static int lines_in(const char *text, size_t len)
{
    int n = 1;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    return n;
}

static void check_rejected(const char *err, int lines)
{
    size_t prefix = strlen(FILE_NAME ":");
    require(strncmp(err, FILE_NAME ":", prefix) == 0, "error starts with FILE:", err);
    char *end;
    long line = strtol(err + prefix, &end, 10);
    require(end != err + prefix && end[0] == ':' && end[1] == ' ' && end[2] != '\0',
            "error reads FILE:LINE: reason", err);
    require(line >= 0 && line <= lines + 1, "error line inside the text", err);
    require(strchr(err, '\n') == NULL, "error is one line", err);
}

static void check_accepted(const struct trace *t, int lines)
{
    char detail[128];
    snprintf(detail, sizeof detail, "num_ids %d, num_ops %d", t->num_ids, t->num_ops);
    require(t->num_ids >= 0 && t->num_ops >= 0, "counts are not negative", detail);
    require(t->num_ops == 0 || t->ops != NULL, "ops are there", detail);
    int prev_line = 0;
    for (int i = 0; i < t->num_ops; i++) {
        const struct trace_op *o = &t->ops[i];
        snprintf(detail, sizeof detail, "op %d: %c %d %zu %zu, line %d", i, o->type, o->id,
                 o->nmemb, o->size, o->line);
        require(o->type == OP_ALLOC || o->type == OP_REALLOC || o->type == OP_FREE ||
                    o->type == OP_CALLOC, "known op", detail);
        require(o->id < t->num_ids && (o->id >= 0 || (o->id == -1 && o->type == OP_FREE)),
                "id in range", detail);
        require(o->line > prev_line && o->line <= lines, "line numbers rise within the text",
                detail);
        if (o->type == OP_CALLOC)
            require(o->nmemb == 0 || o->size / o->nmemb * o->nmemb == o->size,
                    "calloc size is nmemb times the element size", detail);
        prev_line = o->line;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    int lines = lines_in(text, size);
    struct trace t;
    char err[512];
    err[0] = '\0';
    now = peak = 0;
    watching = 1;
    int rc = trace_parse(FILE_NAME, text, size, &t, err, sizeof err);
    watching = 0;
    char detail[96];
    snprintf(detail, sizeof detail, "%zu bytes at the peak for %zu bytes of text", peak, size);
    require(peak <= BYTES_PER_TEXT_BYTE * size + BYTES_BASE, "memory bounded by the text",
            detail);
    if (rc == 0) {
        check_accepted(&t, lines);
        trace_free(&t);
    } else {
        check_rejected(err, lines);
    }
    return 0;
}
