/* driver/memfault.c: where a memory fault hit (see memfault.h). */
#include "driver/memfault.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "memlib.h"

/* Addresses this close to 0, on either side, are a NULL pointer plus or minus a field offset. */
#define NEAR_NULL ((uintptr_t)4096)
/* The handler's own stack: the fault may be a stack overflow (endless recursion). */
#define ALT_STACK_BYTES (64 * 1024)
/* How far below the stack's limit a fault still counts as the stack's: a frame that overflows
 * it (a large local array) is entered by its lowest addresses. Linux keeps far more than this
 * unmapped below the stack (its guard gap and the room it leaves before the first mapping). */
#define STACK_SLACK ((size_t)16 << 20)

static struct memfault *record;

/* Records where, then restores the default action: returning re-runs the faulting instruction,
 * which now ends the child with the same signal, as if nothing had been caught. */
static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    record->addr = (uintptr_t)si->si_addr;
    record->heap_lo = (uintptr_t)mem_heap_lo();
    record->heap_size = mem_heapsize();
    record->heap_max = mem_max_heap();
    record->known = 1;
    signal(sig, SIG_DFL);
}

void memfault_catch(struct memfault *where)
{
    static char alt[ALT_STACK_BYTES];
    stack_t st = {.ss_sp = alt, .ss_size = sizeof alt};
    record = where;
    struct rlimit rl;
    where->stack_hi = (uintptr_t)__builtin_frame_address(0);
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        where->stack_room = rl.rlim_cur + STACK_SLACK;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaltstack(&st, NULL) != 0)
        return;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

void memfault_describe(const struct memfault *f, int simulated, char *buf, size_t n)
{
    uintptr_t a = f->addr, lo = f->heap_lo, end = lo + f->heap_size;
    if (!f->known)
        snprintf(buf, n, "%s", "");
    else if (a < NEAR_NULL || a >= (uintptr_t)0 - NEAR_NULL)
        snprintf(buf, n, " at 0x%jx, near NULL", (uintmax_t)a);
    else if (a <= f->stack_hi && f->stack_hi - a < f->stack_room)
        snprintf(buf, n, " at 0x%jx, past the end of the stack (a stack overflow: endless "
                 "recursion, or a huge local array)", (uintmax_t)a);
    else if (!simulated)
        snprintf(buf, n, " at 0x%jx", (uintmax_t)a);
    else if (a >= lo && a - lo >= f->heap_max)
        snprintf(buf, n, " at 0x%jx (above the heap and the most it can grow to)", (uintmax_t)a);
    else if (a >= end)
        snprintf(buf, n, " at 0x%jx (heap offset %ju, %ju bytes past the break)", (uintmax_t)a,
                 (uintmax_t)(a - lo), (uintmax_t)(a - end));
    else if (a >= lo)
        snprintf(buf, n, " at 0x%jx (heap offset %ju)", (uintmax_t)a, (uintmax_t)(a - lo));
    else
        snprintf(buf, n, " at 0x%jx (%ju bytes below the heap's start)", (uintmax_t)a,
                 (uintmax_t)(lo - a));
}
