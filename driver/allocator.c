/* driver/allocator.c: the registry of allocators the driver can run, by name, and their loading.
 *
 * "mm" (the allocator built into mdriver) and "libc" (glibc, the reference for throughput) are
 * linked in. The others are plugins, built by `make` into PEER_DIR (overridable at run time by
 * the environment variable MMLAB_PEER_DIR) and loaded with dlopen(RTLD_LOCAL):
 *   - simulated ones (naive, implicit) are an allocator source compiled with driver/mmshim.c; the
 *     plugin's own mm_builtin() describes it, and it reaches memlib in the executable (-rdynamic);
 *   - real ones (jemalloc, mimalloc, tcmalloc) are adapters over the library's prefixed API, linked
 *     against it, exporting peer_allocator(). The driver's own malloc stays glibc's.
 * A plugin that was not built because its library is missing is reported with the Debian package
 * that provides it. */
#include "driver/allocator.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PEER_DIR
#define PEER_DIR "build/peers"
#endif

/* Names the variable that overrides PEER_DIR. */
#define PEER_DIR_ENV "MMLAB_PEER_DIR"

/* The entry points plugins export: driver/mmshim.c's, and allocators/peer.h's. */
#define SIMULATED_ENTRY "mm_builtin"
#define REAL_ENTRY "peer_allocator"

/* jemalloc's shared library needs more static TLS than glibc keeps spare for dlopen, and that
 * reserve is fixed when the process starts. Loading it therefore re-executes mdriver once with
 * the reserve raised through this tunable; the marker variable prevents a second attempt. */
#define STATIC_TLS_TUNABLE "glibc.rtld.optional_static_tls=16384"
#define STATIC_TLS_MARKER "MMLAB_STATIC_TLS_RAISED"
#define TUNABLES_LEN 4096

/* Room for dlerror()'s text, and for the list of known names. */
#define MESSAGE_LEN 1024

const struct allocator *libc_allocator(void); /* allocators/libc.c */

struct entry {
    const char *name;
    const struct allocator *(*linked)(void); /* NULL: a plugin */
    int simulated;
    const char *package; /* Debian package a real allocator's plugin needs */
    const struct allocator *loaded;
    struct allocator renamed; /* a plugin's description under the registry's name (simulated
                                 plugins call themselves "mm") */
};

static struct entry registry[] = {
    {.name = "mm", .linked = mm_builtin},
    {.name = "libc", .linked = libc_allocator},
    {.name = "naive", .simulated = 1},
    {.name = "implicit", .simulated = 1},
    {.name = "jemalloc", .package = "libjemalloc-dev"},
    {.name = "mimalloc", .package = "libmimalloc-dev"},
    {.name = "tcmalloc", .package = "libgoogle-perftools-dev"},
};

#define REGISTRY_SIZE (sizeof registry / sizeof registry[0])

static const char *peer_dir(void)
{
    const char *dir = getenv(PEER_DIR_ENV);
    return dir && *dir ? dir : PEER_DIR;
}

/* The command line as the program got it, for the re-execution: option parsing may rewrite argv
 * in place (strtok on "--vs a,b"), so it is copied before main() runs. glibc passes argc and argv
 * to the functions of .init_array. */
static char **original_argv;

static void save_argv(int argc, char **argv)
{
    original_argv = calloc((size_t)argc + 1, sizeof *original_argv);
    for (int i = 0; original_argv && i < argc; i++)
        original_argv[i] = strdup(argv[i]);
}

__attribute__((section(".init_array"), used)) static void (*const save_argv_at_start)(
    int, char **) = save_argv;

/* Re-executes this program, same arguments, with the static TLS reserve raised. Returns only
 * when that is impossible (already tried, or the command line was not saved). */
static void reexec_with_static_tls(void)
{
    if (getenv(STATIC_TLS_MARKER) || !original_argv)
        return;
    const char *old = getenv("GLIBC_TUNABLES");
    char tunables[TUNABLES_LEN];
    snprintf(tunables, sizeof tunables, "%s%s%s", old ? old : "", old ? ":" : "",
             STATIC_TLS_TUNABLE);
    setenv("GLIBC_TUNABLES", tunables, 1);
    setenv(STATIC_TLS_MARKER, "1", 1);
    execv("/proc/self/exe", original_argv);
}

static const struct allocator *load_plugin(struct entry *e, char *err, size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.so", peer_dir(), e->name);
    if (access(path, F_OK) != 0) {
        if (e->package)
            snprintf(err, errlen,
                     "%s: not available (%s was not built: install the Debian package %s, "
                     "then run make)", e->name, path, e->package);
        else
            snprintf(err, errlen, "%s: not available (%s was not built: run make)", e->name,
                     path);
        return NULL;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        char why[MESSAGE_LEN];
        snprintf(why, sizeof why, "%s", dlerror());
        if (strstr(why, "static TLS"))
            reexec_with_static_tls();
        if (e->package && strstr(why, "cannot open shared object")) /* its library is gone */
            snprintf(err, errlen, "%s: cannot load %s: %s (is the Debian package %s installed?)",
                     e->name, path, why, e->package);
        else
            snprintf(err, errlen, "%s: cannot load %s: %s", e->name, path, why);
        return NULL;
    }
    const char *entry = e->simulated ? SIMULATED_ENTRY : REAL_ENTRY;
    const struct allocator *(*describe)(void) =
        (const struct allocator *(*)(void))dlsym(handle, entry);
    if (!describe) {
        snprintf(err, errlen, "%s: %s does not export %s()", e->name, path, entry);
        dlclose(handle);
        return NULL;
    }
    e->renamed = *describe();
    e->renamed.name = e->name;
    return &e->renamed;
}

/* The registry's entry for name, or NULL. */
static struct entry *entry_of(const char *name)
{
    for (size_t i = 0; i < REGISTRY_SIZE; i++)
        if (strcmp(registry[i].name, name) == 0)
            return &registry[i];
    return NULL;
}

int allocator_known(const char *name, char *err, size_t errlen)
{
    if (entry_of(name))
        return 1;
    char known[MESSAGE_LEN] = "";
    for (size_t i = 0; i < REGISTRY_SIZE; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                 registry[i].name);
    snprintf(err, errlen, "%s: unknown allocator (known: %s)", name, known);
    return 0;
}

const struct allocator *allocator_find(const char *name, char *err, size_t errlen)
{
    if (!allocator_known(name, err, errlen))
        return NULL;
    struct entry *e = entry_of(name);
    if (!e->loaded)
        e->loaded = e->linked ? e->linked() : load_plugin(e, err, errlen);
    return e->loaded;
}
