/* driver/trace.c: reads trace files and validates them strictly (driver/trace.h).
 *
 * Header: four numbers, one a line. Classic CS:APP files put the suggested heap size first and
 * the weight last; CMU files put the weight first and a flag last. Both are read the same way;
 * only the weight's position differs, and it is informational.
 * Ops: `a id bytes`, `r id bytes`, `f id` (`f -1` = free(NULL)), `c id nmemb size`.
 * Blank lines, and `#` comments (whole lines or after the fields), are skipped.
 *
 * Memory is bounded by the text's length, whatever the header claims: ops are stored as they are
 * read, and when num_ids is more than the text's bytes (every id needs an op line to appear in),
 * the ids the ops use are renumbered densely (driver/idmap.h), so that no table is sized by
 * num_ids. */
#include "driver/trace.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "driver/idmap.h"

/* Largest size a trace may ask for (a, r, and the product of c): the whole simulated heap. */
#define TRACE_MAX_BYTES ((size_t)MAX_HEAP)
/* Largest text accepted, compressed or not: far beyond any real trace, well below memory. */
#define TRACE_MAX_TEXT ((size_t)1 << 31)
#define HEADER_LINES 4
#define MAX_FIELDS 4 /* op letter + up to three numbers */
#define CLASSIC_MAX_WEIGHT 1 /* classic line 4 is a weight of 0 or 1; CMU's line 4 is bigger */
#define XZ_SUFFIX ".rep.xz"
#define REP_SUFFIX ".rep"
#define UTF8_BOM "\xef\xbb\xbf"
#define READ_CHUNK 65536
#define INITIAL_OPS 1024
/* A field quoted in a message: its first SHOWN_CHARS bytes, then "..." */
#define SHOWN_CHARS 20
#define SHOWN_LEN 32
#define WEIGHT_TEXT_MAX 64 /* longest header weight, as text */

extern char **environ;

struct parser {
    const char *file;
    char *err;
    size_t errlen;
    int line;
};

static int fail(struct parser *p, const char *fmt, ...)
{
    int n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, p->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->errlen)
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* A token: a run of non-blank bytes inside one line. */
struct token {
    const char *s;
    size_t len;
};

/* Strict unsigned decimal: digits only, value <= max. Returns 0, or -1 (not a number) or
 * -2 (too big). Every byte is looked at even past an overflow: "99...9x" is not a number. */
static int parse_uint(struct token t, uint64_t max, uint64_t *out)
{
    if (t.len == 0)
        return -1;
    uint64_t v = 0;
    int overflow = 0;
    for (size_t i = 0; i < t.len; i++) {
        unsigned d = (unsigned)(t.s[i] - '0');
        if (d > 9)
            return -1;
        overflow |= v > (UINT64_MAX - d) / 10;
        v = v * 10 + d;
    }
    if (overflow || v > max)
        return -2;
    *out = v;
    return 0;
}

/* Header weights may be written as decimals ("1", "0.5"): digits, at most one point, digits;
 * no sign, exponent, "inf" or "nan". The value is informational. */
static int parse_weight(struct token t, double *out)
{
    char buf[WEIGHT_TEXT_MAX];
    if (t.len == 0 || t.len >= sizeof buf)
        return -1;
    int points = 0, digits = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (t.s[i] == '.')
            points++;
        else if (t.s[i] >= '0' && t.s[i] <= '9')
            digits++;
        else
            return -1;
    }
    if (points > 1 || digits == 0)
        return -1;
    memcpy(buf, t.s, t.len);
    buf[t.len] = '\0';
    *out = strtod(buf, NULL);
    return 0;
}

static void print_token(char *buf, size_t cap, struct token t)
{
    snprintf(buf, cap, "%.*s%s", (int)(t.len < SHOWN_CHARS ? t.len : SHOWN_CHARS), t.s,
             t.len > SHOWN_CHARS ? "..." : "");
}

/* Splits one line into tokens, dropping a comment. Returns the count (MAX_FIELDS + 1 means
 * "more than MAX_FIELDS"). */
static int split(const char *s, const char *end, struct token *tok)
{
    int n = 0;
    while (s < end) {
        while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (s == end || *s == '#')
            break;
        const char *start = s;
        while (s < end && *s != ' ' && *s != '\t' && *s != '\r' && *s != '#')
            s++;
        if (n == MAX_FIELDS)
            return MAX_FIELDS + 1;
        tok[n].s = start;
        tok[n].len = (size_t)(s - start);
        n++;
    }
    return n;
}

#define ASCII_DEL 0x7f

/* Non-text bytes: control characters (but tab, the CR that ends a CRLF line, and LF) and DEL.
 * Bytes from 0x80 up are text (UTF-8 in comments); in a field they fail that field's own check.
 * A CR inside a line is named apart: a file with CR-only line endings is one such line. */
static int check_text(struct parser *p, const char *s, const char *end)
{
    for (; s < end; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\r' && s + 1 < end)
            return fail(p, "carriage return inside a line (lines must end in LF or CRLF)");
        if ((c < ' ' && c != '\t' && c != '\r') || c == ASCII_DEL)
            return fail(p, "non-text byte 0x%02x", c);
    }
    return 0;
}

/* Files that are a trace turned into something else, told as such: their first bytes alone are
 * "non-text", which does not say why a file that an editor shows as text is refused. */
static const struct {
    const char *magic;
    size_t len;
    const char *what;
} disguises[] = {
    {"\xff\xfe", 2, "UTF-16 text (as Windows PowerShell's > writes it): traces are ASCII or UTF-8"},
    {"\xfe\xff", 2, "UTF-16 text: traces are ASCII or UTF-8"},
    {"\xfd" "7zXZ", 5, "xz-compressed data: only a file named .xz is decompressed"},
    {"\x1f\x8b", 2, "gzip-compressed data: traces are read as text or .xz"},
};

/* What the text is instead of a trace, or NULL. */
static const char *disguise(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof disguises / sizeof disguises[0]; i++)
        if (len >= disguises[i].len && memcmp(s, disguises[i].magic, disguises[i].len) == 0)
            return disguises[i].what;
    return NULL;
}

static const char *const header_names[HEADER_LINES] = {
    "heap size or weight", "num_ids", "num_ops", "weight or flag"};

/* The header as it is read: lines seen, and the figures that are not the trace's own. */
struct header {
    int seen;
    int num_ops;        /* declared; t->num_ops counts the ops read */
    double first, last; /* lines 1 and 4: which one is the weight depends on the format */
};

static int parse_header_line(struct parser *p, struct header *h, struct token *tok, int n,
                             struct trace *t)
{
    int k = h->seen;
    char shown[SHOWN_LEN];
    if (n > 1) {
        print_token(shown, sizeof shown, tok[1]);
        return fail(p, "bad header: extra field '%s' after %s", shown, header_names[k]);
    }
    print_token(shown, sizeof shown, tok[0]);
    if (k == 0 || k == 3) {
        if (parse_weight(tok[0], k == 0 ? &h->first : &h->last) != 0)
            return fail(p, "bad header: %s '%s' is not a number", header_names[k], shown);
        return 0;
    }
    uint64_t v;
    int r = parse_uint(tok[0], INT32_MAX, &v);
    if (r == -1)
        return fail(p, "bad header: %s '%s' is not a number", header_names[k], shown);
    if (r == -2)
        return fail(p, "bad header: %s '%s' is out of range", header_names[k], shown);
    if (k == 1)
        t->num_ids = (int)v;
    else
        h->num_ops = (int)v;
    return 0;
}

/* Parses the id field of an op; `f -1` is free(NULL). */
static int parse_id(struct parser *p, struct token tk, const struct trace *t, int allow_null,
                    int *id)
{
    if (allow_null && tk.len == 2 && tk.s[0] == '-' && tk.s[1] == '1') {
        *id = -1;
        return 0;
    }
    uint64_t v;
    int r = parse_uint(tk, INT32_MAX, &v);
    if (r == 0 && v < (uint64_t)t->num_ids) {
        *id = (int)v;
        return 0;
    }
    char shown[SHOWN_LEN];
    print_token(shown, sizeof shown, tk);
    if (r == -1 && tk.len > 0 && tk.s[0] == '-')
        r = -2;
    if (r == -1)
        return fail(p, "id '%s' is not a number", shown);
    return fail(p, "id %s out of range (num_ids is %d)", shown, t->num_ids);
}

static int parse_size(struct parser *p, struct token tk, const char *what, size_t *out)
{
    uint64_t v;
    int r = parse_uint(tk, TRACE_MAX_BYTES, &v);
    if (r == 0) {
        *out = (size_t)v;
        return 0;
    }
    char shown[SHOWN_LEN];
    print_token(shown, sizeof shown, tk);
    if (r == -1 && !(tk.len > 0 && tk.s[0] == '-'))
        return fail(p, "%s '%s' is not a number", what, shown);
    return fail(p, "%s %s out of range (0 to %zu)", what, shown, TRACE_MAX_BYTES);
}

/* Block ids while parsing: which are live, so that `a`/`c` on a live id is rejected (indexed
 * by the driver's id), and their renumbering when the header allows more than the text can use. */
struct ids {
    unsigned char *live;
    int renumber;
    struct idmap map;
};

static int is_live(const struct ids *l, int id)
{
    return (l->live[id / CHAR_BIT] >> (id % CHAR_BIT)) & 1;
}

static void set_live(struct ids *l, int id, int on)
{
    if (on)
        l->live[id / CHAR_BIT] |= (unsigned char)(1u << (id % CHAR_BIT));
    else
        l->live[id / CHAR_BIT] &= (unsigned char)~(1u << (id % CHAR_BIT));
}

/* A header line; once num_ids is known, the live set is made for the ops: for num_ids ids, or,
 * past len, for the renumbered ones (fewer than the text's bytes). */
static int header_line(struct parser *p, struct header *h, struct token *tok, int n, size_t len,
                       struct trace *t, struct ids *ids)
{
    if (parse_header_line(p, h, tok, n, t) != 0)
        return -1;
    if (++h->seen != 2)
        return 0;
    ids->renumber = (size_t)t->num_ids > len;
    size_t count = ids->renumber ? len : (size_t)t->num_ids;
    if (!(ids->live = calloc(count / CHAR_BIT + 1, 1)))
        return fail(p, "out of memory reading the trace");
    return 0;
}

/* The driver's id for file id fid: fid itself, or its dense number when renumbering. */
static int driver_id(struct parser *p, struct ids *ids, int fid, int *id)
{
    if (fid < 0 || !ids->renumber) {
        *id = fid;
        return 0;
    }
    *id = idmap_dense(&ids->map, fid);
    return *id < 0 ? fail(p, "out of memory reading the trace") : 0;
}

/* The op's letter, and as many fields as it takes. */
static int check_fields(struct parser *p, struct token *tok, int n)
{
    char shown[SHOWN_LEN];
    if (tok[0].len != 1 || !strchr("arfc", tok[0].s[0])) {
        print_token(shown, sizeof shown, tok[0]);
        return fail(p, "unknown op '%s'", shown);
    }
    char type = tok[0].s[0];
    int want = type == OP_FREE ? 2 : type == OP_CALLOC ? 4 : 3;
    static const char *const usage[] = {['a' - 'a'] = "a ID BYTES", ['c' - 'a'] = "c ID NMEMB SIZE",
                                        ['f' - 'a'] = "f ID", ['r' - 'a'] = "r ID BYTES"};
    if (n < want)
        return fail(p, "missing field: expected '%s'", usage[type - 'a']);
    if (n > want) {
        if (n <= MAX_FIELDS)
            print_token(shown, sizeof shown, tok[want]);
        else
            snprintf(shown, sizeof shown, "...");
        return fail(p, "extra field '%s': expected '%s'", shown, usage[type - 'a']);
    }
    return 0;
}

static int parse_op(struct parser *p, struct token *tok, int n, const struct trace *t,
                    struct ids *ids, struct trace_op *op)
{
    if (check_fields(p, tok, n) != 0)
        return -1;
    char type = tok[0].s[0];
    memset(op, 0, sizeof *op);
    op->type = type;
    op->line = p->line;
    int fid = -1;
    if (parse_id(p, tok[1], t, type == OP_FREE, &fid) != 0 || driver_id(p, ids, fid, &op->id))
        return -1;
    if (type == OP_CALLOC) {
        size_t size;
        if (parse_size(p, tok[2], "nmemb", &op->nmemb) != 0 ||
            parse_size(p, tok[3], "size", &size) != 0)
            return -1;
        if (__builtin_mul_overflow(op->nmemb, size, &op->size) || op->size > TRACE_MAX_BYTES)
            return fail(p, "calloc size out of range: %zu * %zu overflows or exceeds %zu",
                        op->nmemb, size, TRACE_MAX_BYTES);
    } else if (type != OP_FREE && parse_size(p, tok[2], "size", &op->size) != 0) {
        return -1;
    }
    if ((type == OP_ALLOC || type == OP_CALLOC) && is_live(ids, op->id))
        return fail(p, "'%c' on id %d, which is already allocated (no free since)", type, fid);
    if (op->id >= 0)
        set_live(ids, op->id, type != OP_FREE);
    return 0;
}

static int push_op(struct parser *p, struct trace *t, int *cap, const struct trace_op *op)
{
    if (t->num_ops == *cap) {
        int grown = *cap ? 2 * *cap : INITIAL_OPS;
        struct trace_op *ops = realloc(t->ops, (size_t)grown * sizeof *ops);
        if (!ops)
            return fail(p, "out of memory reading the trace");
        t->ops = ops;
        *cap = grown;
    }
    t->ops[t->num_ops++] = *op;
    return 0;
}

static char *name_of(const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t len = strlen(base);
    size_t xz = strlen(XZ_SUFFIX), rep = strlen(REP_SUFFIX);
    if (len > xz && strcmp(base + len - xz, XZ_SUFFIX) == 0)
        len -= xz;
    else if (len > rep && strcmp(base + len - rep, REP_SUFFIX) == 0)
        len -= rep;
    return strndup(base, len);
}

int trace_parse(const char *file, const char *text, size_t len, struct trace *t, char *err,
                size_t errlen)
{
    struct parser p = {.file = file, .err = err, .errlen = errlen, .line = 0};
    memset(t, 0, sizeof *t);
    t->file = strdup(file);
    t->name = name_of(file);
    if (!t->file || !t->name)
        return fail(&p, "out of memory"), trace_free(t), -1;
    struct ids ids = {0};
    struct header h = {0};
    int cap = 0, rc = 0;
    const char *s = text, *end = text + len;
    if ((size_t)(end - s) >= sizeof UTF8_BOM - 1 && memcmp(s, UTF8_BOM, sizeof UTF8_BOM - 1) == 0)
        s += sizeof UTF8_BOM - 1; /* editors that save "UTF-8 with BOM" put it first */
    const char *what = disguise(s, (size_t)(end - s));
    if (what) {
        p.line = 1;
        rc = fail(&p, "%s", what);
    }
    while (s < end && rc == 0) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *eol = nl ? nl : end;
        p.line++;
        struct token tok[MAX_FIELDS];
        rc = check_text(&p, s, eol);
        int n = rc ? 0 : split(s, eol, tok);
        s = nl ? nl + 1 : end;
        if (n == 0)
            continue;
        if (h.seen < HEADER_LINES) {
            rc = header_line(&p, &h, tok, n, len, t, &ids);
            continue;
        }
        struct trace_op op;
        if (t->num_ops == h.num_ops)
            rc = fail(&p, "more ops than the %d the header declares", h.num_ops);
        else if ((rc = parse_op(&p, tok, n, t, &ids, &op)) == 0)
            rc = push_op(&p, t, &cap, &op);
    }
    if (rc == 0 && h.seen == 0) { /* nothing but blanks and comments, if anything */
        p.line = 1;
        rc = fail(&p, "empty file: no header line (a trace starts with a header of %d lines)",
                  HEADER_LINES);
    } else if (rc == 0 && h.seen < HEADER_LINES) {
        rc = fail(&p, "bad header: missing %s (the header has %d lines)", header_names[h.seen],
                  HEADER_LINES);
    } else if (rc == 0 && t->num_ops != h.num_ops) {
        rc = fail(&p, "the header declares %d ops, the file has %d", h.num_ops, t->num_ops);
    }
    free(ids.live);
    idmap_free_table(&ids.map);
    if (ids.renumber) {
        t->num_ids = ids.map.n;
        t->file_id = ids.map.file_id;
    }
    if (rc != 0) {
        trace_free(t);
        return -1;
    }
    t->weight = h.last <= CLASSIC_MAX_WEIGHT ? h.last : h.first;
    return 0;
}

/* Reads all of fd into a new buffer. Returns 0, -1 on a read error (errno), -2 when too big. */
static int slurp(int fd, char **out, size_t *outlen)
{
    size_t cap = READ_CHUNK, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    for (;;) {
        if (len == cap) {
            if (cap >= TRACE_MAX_TEXT) {
                free(buf);
                return -2;
            }
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                return -1;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Decompresses through `xz -dc` (no shell); xz's own messages are discarded for ours. */
static int read_xz(struct parser *p, const char *path, char **text, size_t *len)
{
    int fds[2];
    if (pipe(fds) != 0)
        return fail(p, "cannot decompress: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    char *argv[] = {"xz", "-dc", "--", (char *)path, NULL};
    pid_t pid;
    int e = posix_spawnp(&pid, "xz", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (e != 0) {
        close(fds[0]);
        if (e == ENOENT)
            return fail(p, "cannot decompress: xz is not installed (Debian package xz-utils)");
        return fail(p, "cannot run xz: %s", strerror(e));
    }
    int r = slurp(fds[0], text, len);
    e = errno;
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (r == 0)
        free(*text);
    if (r == -2)
        return fail(p, "decompressed trace is larger than %zu bytes", TRACE_MAX_TEXT);
    if (r == -1)
        return fail(p, "cannot decompress: %s", strerror(e));
    return fail(p, "cannot decompress: not a valid .xz file (xz exit status %d)",
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int trace_read(const char *path, struct trace *t, char *err, size_t errlen)
{
    struct parser p = {.file = path, .err = err, .errlen = errlen, .line = 0};
    memset(t, 0, sizeof *t);
    char *text;
    size_t len;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return fail(&p, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return fail(&p, "cannot read: %s", strerror(EISDIR));
    }
    if (ends_with(path, ".xz")) {
        close(fd); /* opened only to report a missing file as such, not as xz's failure */
        if (read_xz(&p, path, &text, &len) != 0)
            return -1;
    } else {
        int r = slurp(fd, &text, &len);
        int e = errno;
        close(fd);
        if (r == -2)
            return fail(&p, "trace is larger than %zu bytes", TRACE_MAX_TEXT);
        if (r != 0)
            return fail(&p, "cannot read: %s", strerror(e));
    }
    int rc = trace_parse(path, text, len, t, err, errlen);
    free(text);
    return rc;
}

int trace_file_id(const struct trace *t, int id)
{
    return t->file_id && id >= 0 ? t->file_id[id] : id;
}

void trace_free(struct trace *t)
{
    free(t->file);
    free(t->name);
    free(t->ops);
    free(t->file_id);
    memset(t, 0, sizeof *t);
}
