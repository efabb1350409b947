# mmlab: `make` builds ./mdriver around mm.c; `make test` runs every test.
# `make mdriver MM=path/to/mm.c` builds the driver around another allocator.

CC        ?= cc
MM        ?= mm.c
ALIGNMENT ?= 16
BUILD     ?= build
MDRIVER   ?= mdriver

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -D_GNU_SOURCE -DALIGNMENT=$(ALIGNMENT) -I.
LDLIBS  += -lm -ldl

# Submissions written for the CMU lab declare `bool mm_init`: build them with its mm.h.
MM_STYLE := $(shell grep -Eqs 'bool[[:space:]]+mm_init' $(MM) && echo -DMM_CMU)

DRIVER_SRCS := mdriver.c $(filter-out driver/mmshim.c,$(wildcard driver/*.c)) memlib.c
DRIVER_OBJS := $(DRIVER_SRCS:%.c=$(BUILD)/a$(ALIGNMENT)/%.o)
MM_OBJS     := $(BUILD)/a$(ALIGNMENT)/mm/mm.o $(BUILD)/a$(ALIGNMENT)/mm/mmshim.o

.PHONY: all run test bench bench-driver traces plots fuzz clean FORCE
.DELETE_ON_ERROR:

all: $(MDRIVER)

run: $(MDRIVER)
	./$(MDRIVER) -V

$(MDRIVER): $(DRIVER_OBJS) $(MM_OBJS)
	$(CC) $(CFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

$(BUILD)/a$(ALIGNMENT)/%.o: %.c $(wildcard *.h driver/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The allocator is rebuilt on every make: MM may name a different file each time.
$(BUILD)/a$(ALIGNMENT)/mm/mm.o: FORCE
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DDRIVER $(MM_STYLE) -c -o $@ $(MM)

$(BUILD)/a$(ALIGNMENT)/mm/mmshim.o: driver/mmshim.c FORCE
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DDRIVER $(MM_STYLE) -c -o $@ $<

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

plots: all
	python3 tools/plot suite --out plots

fuzz:
	$(MAKE) -C tests/fuzz run
