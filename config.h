/* config.h: the lab's build-time knobs, shared by the driver, memlib and allocators.
 * ALIGNMENT can be chosen from make (`make ALIGNMENT=8`); the others are set here, where the
 * tools read them too (make refuses them on its command line). */
#ifndef CONFIG_H
#define CONFIG_H

/* Payload alignment the driver enforces (16 matches x86-64 malloc; 8 is the original lab's). */
#ifndef ALIGNMENT
#define ALIGNMENT 16
#endif

/* Size of the simulated heap's one reservation: the most mem_sbrk can ever hand out. */
#ifndef MAX_HEAP
#define MAX_HEAP (1UL << 30)
#endif

/* Weight of utilization in the perf index; throughput gets the rest. */
#ifndef UTIL_WEIGHT
#define UTIL_WEIGHT 0.60
#endif

/* K-best timing: the best K runs must agree within TIMER_EPSILON, trying at most TIMER_MAXRUNS. */
#define TIMER_K 3
#define TIMER_EPSILON 0.01
#define TIMER_MAXRUNS 20

/* Seconds a trace may run before the driver calls it a hang (-s overrides). */
#define DEFAULT_TIMEOUT_SECS 30

_Static_assert(ALIGNMENT >= 8 && (ALIGNMENT & (ALIGNMENT - 1)) == 0,
               "ALIGNMENT must be a power of two, at least 8");
/* A floating comparison is no integer constant expression in ISO C: gcc accepts it as one, clang
 * (which builds the trace reader's fuzz target) rejects the line, so only gcc checks it. */
#ifndef __clang__
_Static_assert(UTIL_WEIGHT >= 0.0 && UTIL_WEIGHT <= 1.0, "UTIL_WEIGHT must lie in [0, 1]");
#endif

#endif
