# traces/recorded.mk: the suite's traces recorded from real programs on Debian 12 by
# tools/rectrace (included by traces/Makefile; recipes run in traces/).
#
# Each trace is one command: the program, its fixed input from traces/recorded.d/ read from
# standard input, the working directory / (so neither a path nor getcwd tells where the
# repository lies), a fixed environment (--clean-env: PATH=/usr/bin:/bin LC_ALL=C TZ=UTC
# HOME=/nonexistent, plus fixed hash seeds for Python and Perl), address randomization off, one
# process. Recording twice gives the same bytes; recording on another machine gives the same
# bytes only with the same program versions (Debian 12: gcc 12.2, clang 14, Python 3.11.2,
# perl 5.36, SQLite 3.40, jq 1.6, Tcl 8.6.13):
# each trace is a replay of what those binaries did. (bash is not among them: it keeps its
# parent's pid as a string, so its trace changes with the number of digits of a pid.)
#
# A committed trace is never re-recorded by `make`: its input and tools/rectrace are order-only
# prerequisites, since a checkout writes them after the traces (in any order), and another
# machine's program versions would silently rewrite the trace. `make -C traces rerecord`
# re-records all of them on purpose (then remakes the traces resampled from them); a program
# that is not installed leaves its committed trace as it is, with a note.

RECTRACE := ../tools/rectrace
# The program's output goes to /dev/null whatever make's output is: python3, for one, sets up
# stderr differently for a pipe and for a file (and the trace showed it).
REC      := $(RECTRACE) record --clean-env --cwd / --stdout /dev/null --stderr /dev/null
# A recipe's input: its first (order-only) prerequisite.
INPUT     = $(firstword $|)
CC1DIR   := /usr/lib/gcc/x86_64-linux-gnu/12
CC1ARGS  := -quiet -imultiarch x86_64-linux-gnu -O2 -o /dev/null
LLVM     := /usr/lib/llvm-14

RECORDED := rec-cc1-heapsort.rep.xz rec-cc1plus-shapes.rep.xz rec-clang-heapsort.rep.xz \
            rec-python3-words.rep.xz rec-perl-words.rep.xz rec-sqlite3-queries.rep.xz \
            rec-sqlite3-sort.rep.xz rec-jq-group.rep.xz rec-tclsh-strings.rep.xz

.PHONY: recorded rerecord
recorded: $(RECORDED)

rerecord:
	$(MAKE) --no-print-directory -B recorded
	$(MAKE) --no-print-directory all

# $(call when_installed,PROGRAM,COMMAND): runs COMMAND if PROGRAM exists, else keeps the
# committed trace (and fails only if there is none).
when_installed = @if [ -x $(1) ]; then echo "recording $@"; $(2); \
    elif [ -f $@ ]; then echo "$@: $(1) is not installed, keeping the committed trace"; \
    else echo "$@: $(1) is not installed and there is no committed trace" >&2; exit 1; fi

# cc1 and cc1plus are run directly (not through the gcc driver) so that one process is recorded.
rec-cc1-heapsort.rep.xz: | recorded.d/heapsort.c $(RECTRACE)
	$(call when_installed,$(CC1DIR)/cc1,$(REC) --stdin $(INPUT) -o $@ -- $(CC1DIR)/cc1 $(CC1ARGS) -)

# clang's front end alone (-cc1), with the include paths the clang driver would give it.
rec-clang-heapsort.rep.xz: | recorded.d/heapsort.c $(RECTRACE)
	$(call when_installed,$(LLVM)/bin/clang,$(REC) --stdin $(INPUT) -o $@ -- $(LLVM)/bin/clang -cc1 \
	    -triple x86_64-pc-linux-gnu -emit-obj -O2 -resource-dir $(LLVM)/lib/clang/14.0.6 \
	    -internal-isystem $(LLVM)/lib/clang/14.0.6/include \
	    -internal-externc-isystem /usr/include/x86_64-linux-gnu \
	    -internal-externc-isystem /usr/include -fdebug-compilation-dir=/ -o /dev/null -x c -)

# The standard headers make this 1.5M calls; the first 600,000 cover parsing them.
rec-cc1plus-shapes.rep.xz: | recorded.d/shapes.cc $(RECTRACE)
	$(call when_installed,$(CC1DIR)/cc1plus,$(REC) --max-ops 600000 --stdin $(INPUT) -o $@ -- \
	    $(CC1DIR)/cc1plus $(CC1ARGS) -D_GNU_SOURCE -)

# PYTHONMALLOC=malloc sends every object to malloc (not to Python's own small-object pools).
# Python lists the directories on sys.path and reads site-packages' .pth files: -P keeps
# the working directory off the path and -S skips site, so packages installed later do not
# change the trace.
rec-python3-words.rep.xz: | recorded.d/words.py $(RECTRACE)
	$(call when_installed,/usr/bin/python3,$(REC) -e PYTHONHASHSEED=0 -e PYTHONMALLOC=malloc \
	    --stdin $(INPUT) -o $@ -- /usr/bin/python3 -P -B -s -S -)

rec-perl-words.rep.xz: | recorded.d/words.pl $(RECTRACE)
	$(call when_installed,/usr/bin/perl,$(REC) -e PERL_HASH_SEED=0 -e PERL_PERTURB_KEYS=0 \
	    --stdin $(INPUT) -o $@ -- /usr/bin/perl -)

rec-sqlite3-queries.rep.xz: | recorded.d/queries.sql $(RECTRACE)
	$(call when_installed,/usr/bin/sqlite3,$(REC) --stdin $(INPUT) -o $@ -- /usr/bin/sqlite3 :memory:)

rec-sqlite3-sort.rep.xz: | recorded.d/sort.sql $(RECTRACE)
	$(call when_installed,/usr/bin/sqlite3,$(REC) --stdin $(INPUT) -o $@ -- /usr/bin/sqlite3 :memory:)

rec-jq-group.rep.xz: | recorded.d/group.jq $(RECTRACE)
	$(call when_installed,/usr/bin/jq,$(REC) --stdin $(INPUT) -o $@ -- /usr/bin/jq -n -f /dev/stdin)

rec-tclsh-strings.rep.xz: | recorded.d/strings.tcl $(RECTRACE)
	$(call when_installed,/usr/bin/tclsh,$(REC) --stdin $(INPUT) -o $@ -- /usr/bin/tclsh)
