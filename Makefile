# mmlab: `make` builds ./mdriver around mm.c; `make test` runs every test.
# `make mdriver MM=path/to/mm.c` builds the driver around another allocator.

CC        ?= cc
MM        ?= mm.c
ALIGNMENT ?= 16
BUILD     ?= build
MDRIVER   ?= mdriver

# CFLAGS given on make's command line (`make CFLAGS='-Og -g'` for gdb) replace only these two:
# the flags the build needs are added to them all the same.
CFLAGS  ?= -O2 -g
override CFLAGS += -std=c11 -Wall -Wextra -D_GNU_SOURCE -DALIGNMENT=$(ALIGNMENT) -I. $(SANITIZE)
LDLIBS  += -lm -ldl

# Only ALIGNMENT reaches the compiler from make (with a build folder of its own). UTIL_WEIGHT and
# MAX_HEAP are set in config.h, where the tools read them too: given to make they would change
# nothing, so make says where they are set instead of building a driver that ignores them.
CONFIG_H_ONLY := UTIL_WEIGHT MAX_HEAP
$(foreach v,$(CONFIG_H_ONLY),$(if $(filter command line,$(origin $(v))),\
    $(error $(v) is set in config.h (the tools read it there too): edit it there)))

# Submissions written for the CMU lab declare `bool mm_init`: build them with its mm.h. Those
# written for the original lab's handout have its `int mm_check(void)`, which mm.h must not
# declare with the verbose flag, nor at all a static mm_check or a void one (that handout's
# mm.h declared none, so any one built); those for the 2015 CMU lab, `void mm_checkheap(int)`,
# which the textbook's code has too, its parameter named verbose (it prints every block when
# set). Only the code tells: comments (which the compiler's -fpreprocessed mode drops,
# expanding nothing; a compiler without it, clang, has the file read whole) and string and
# character literals are left out, so that a comment quoting `bool mm_init` makes no CMU
# submission; lines are joined, for a declaration split over two.
CHECK_VOID := (int|void)[[:space:]]+mm_check[[:space:]]*\([[:space:]]*(void)?[[:space:]]*\)
CHECK_NORESULT := void[[:space:]]+mm_check[[:space:]]*\(
CHECK_STATIC := static[^;{}()]*[[:space:]*]mm_check[[:space:]]*\(
VERBOSE_PARAM := \([[:space:]]*int[[:space:]]+verbose[[:space:]]*\)
CHECKHEAP_VERBOSE := void[[:space:]]+mm_checkheap[[:space:]]*$(VERBOSE_PARAM)
LITERALS   := "([^"\\]|\\.)*"|'\''([^'\''\\]|\\.)*'\''
MM_CODE     = { $(CC) -fpreprocessed -dD -E -P $(MM) 2>/dev/null || cat $(MM) 2>/dev/null; } | \
              sed -E 's/$(LITERALS)//g' | tr '\n' ' '
mm_style    = $(shell $(MM_CODE) | grep -Eq '$(1)' && echo $(2))
MM_STYLE   := $(call mm_style,bool[[:space:]]+mm_init,-DMM_CMU) \
              $(call mm_style,$(CHECK_VOID),-DMM_CHECK_VOID) \
              $(call mm_style,$(CHECK_STATIC),-DMM_CHECK_STATIC) \
              $(call mm_style,$(CHECK_NORESULT),-DMM_CHECK_NORESULT) \
              $(call mm_style,void[[:space:]]+mm_checkheap,-DMM_CHECKHEAP_VOID) \
              $(call mm_style,$(CHECKHEAP_VERBOSE),-DMM_CHECKHEAP_VERBOSE)

# The compiler and flags of the last build in this folder: when they change (`make CFLAGS='-Og
# -g'` for gdb, then `make`), every object is rebuilt, not only the allocator's.
FLAGS_STAMP := $(BUILD)/a$(ALIGNMENT)/flags
FLAGS_NOW   := $(CC) $(CFLAGS)
ifneq ($(file <$(FLAGS_STAMP)),$(FLAGS_NOW))
$(shell mkdir -p $(dir $(FLAGS_STAMP)))
$(file >$(FLAGS_STAMP),$(FLAGS_NOW))
endif

DRIVER_SRCS := mdriver.c $(filter-out driver/mmshim.c,$(wildcard driver/*.c)) memlib.c allocators/libc.c
DRIVER_OBJS := $(DRIVER_SRCS:%.c=$(BUILD)/a$(ALIGNMENT)/%.o)
MM_OBJS     := $(BUILD)/a$(ALIGNMENT)/mm/mm.o $(BUILD)/a$(ALIGNMENT)/mm/mmshim.o

.PHONY: all run test bench bench-driver traces plots fuzz asan clean FORCE
.DELETE_ON_ERROR:

all: $(MDRIVER) peers

run: $(MDRIVER)
	./$(MDRIVER) -V

$(MDRIVER): $(DRIVER_OBJS) $(MM_OBJS)
	$(CC) $(CFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

# `make mdriver MDRIVER=elsewhere/mdriver` builds that one (and not ./mdriver).
ifneq ($(MDRIVER),mdriver)
.PHONY: mdriver
mdriver: $(MDRIVER)
endif

$(BUILD)/a$(ALIGNMENT)/%.o: %.c $(wildcard *.h driver/*.h allocators/*.h) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The allocator is rebuilt on every make: MM may name a different file each time. Its functions
# start on cache lines, so that where its hot branches fall within a line (which moves its
# timing by up to 40% on one classic trace) does not depend on the size of the driver's code
# linked before it.
#
# A file that lacks one of the functions the driver calls (an empty mm.c, a name misspelled) is
# told so by its own name, not by the linker's undefined references from lines of
# driver/mmshim.c. An object nm cannot list (another compiler's LTO) is left to the linker.
MM_ALIGN := -falign-functions=64
MM_REQUIRED := mm_init mm_malloc mm_free mm_realloc
$(BUILD)/a$(ALIGNMENT)/mm/mm.o: FORCE
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MM_ALIGN) -DDRIVER $(MM_STYLE) -c -o $@ $(MM)
	@if defined=$$(nm -gP --defined-only $@); then \
	    missing=$$(for f in $(MM_REQUIRED); do \
	        echo "$$defined" | grep -q "^$$f " || printf '%s, ' $$f; done); \
	    [ -z "$$missing" ] || \
	    { echo "$(MM): error: defines no $${missing%, } (mdriver calls each)" >&2; exit 1; }; fi

$(BUILD)/a$(ALIGNMENT)/mm/mmshim.o: driver/mmshim.c FORCE
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DDRIVER $(MM_STYLE) -c -o $@ $<

# Reference allocators that --vs loads (driver/allocator.c): plugins in PEER_DIR, whose absolute
# path is compiled into mdriver. Simulated ones are an allocator source plus driver/mmshim.c;
# real ones link their library and are built only when its header is installed. -Bsymbolic
# keeps a plugin's mm_* calls inside the plugin; memlib comes from mdriver (-rdynamic). HASH
# holds a '#' that reaches the shell alike in make 4.3 and earlier (4.3 keeps a '\#' in a call).
PEER_DIR    := $(BUILD)/a$(ALIGNMENT)/peers
PEER_FLAGS  := -fPIC -shared -Wl,-Bsymbolic
SIM_PEERS   := naive implicit
HASH        := \#
has_header   = $(shell echo '$(HASH)include <$(1)>' | $(CC) -E -x c - >/dev/null 2>&1 && echo $(2))
REAL_PEERS  := $(call has_header,jemalloc/jemalloc.h,jemalloc) \
               $(call has_header,mimalloc.h,mimalloc) \
               $(call has_header,gperftools/tcmalloc.h,tcmalloc)
PEER_LIBS_jemalloc := -ljemalloc
PEER_LIBS_mimalloc := -lmimalloc
PEER_LIBS_tcmalloc := -ltcmalloc_minimal
PEER_HDRS   := config.h mm.h memlib.h driver/allocator.h $(FLAGS_STAMP)

.PHONY: peers
peers: $(patsubst %,$(PEER_DIR)/%.so,$(SIM_PEERS) $(REAL_PEERS))

$(BUILD)/a$(ALIGNMENT)/driver/allocator.o: override CFLAGS += -DPEER_DIR='"$(abspath $(PEER_DIR))"'

$(patsubst %,$(PEER_DIR)/%.so,$(SIM_PEERS)): $(PEER_DIR)/%.so: allocators/%.c driver/mmshim.c $(PEER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PEER_FLAGS) -DDRIVER -o $@ $< driver/mmshim.c

$(patsubst %,$(PEER_DIR)/%.so,$(REAL_PEERS)): $(PEER_DIR)/%.so: allocators/%.c allocators/peer.h $(PEER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PEER_FLAGS) -o $@ $< $(PEER_LIBS_$*)

test: all
	python3 tests/run.py

clean:
	rm -rf $(BUILD) $(MDRIVER)

# Targets whose recipes live with the tools they run.
bench: all
	python3 tools/bench

bench-driver: all
	python3 tools/bench-driver

traces:
	$(MAKE) -C traces

# The LD_PRELOAD recorder behind tools/rectrace (which runs this rule when the library is stale).
$(BUILD)/rectrace/librectrace.so: tools/rectrace.d/preload.c tools/rectrace.d/format.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -shared -o $@ $< -ldl -lpthread

plots: all
	python3 tools/plot suite --out plots

fuzz:
	$(MAKE) -C tests/fuzz run

# `make asan`: build/asan/mdriver (and its plugins), built with AddressSanitizer and UBSan in
# objects of its own, to find memory errors and leaks in the driver, or in an allocator's own
# globals and stack (not inside the simulated heap, which is all valid memory to ASan).
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
asan:
	$(MAKE) mdriver peers BUILD=$(BUILD)/asan MDRIVER=$(BUILD)/asan/mdriver SANITIZE="$(ASAN_FLAGS)"
