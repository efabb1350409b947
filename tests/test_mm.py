"""mm.c, the reference allocator: its heap checker catches each corruption it claims to detect,
the interface's edges behave (calloc overflow and zeroing, out of memory, failed realloc, realloc
in place, heap shrinking), and `mdriver -D` (heap checker before every op) passes on the classic
traces.

The corruptions are made by tests/fixtures/mm/heapcheck.c, which includes mm.c itself and so can
reach the block layout its design note documents. Both alignments are tested."""
import os
import re
import subprocess
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSAPP = os.path.join(os.path.dirname(ROOT), "shared", "traces", "csapp")
BUILD = os.path.join("build", "t", "mm")
FIXTURE = os.path.join("tests", "fixtures", "mm", "heapcheck.c")
CLASSIC = ["amptjp-bal", "cccp-bal", "cp-decl-bal", "expr-bal", "coalescing-bal", "random-bal",
           "random2-bal", "binary-bal", "binary2-bal", "realloc-bal", "realloc2-bal"]
ALIGNMENTS = (16, 8)
VERBOSE_MARK = "-- mm_check(1):"  # heapcheck.c's line between mm_check(0) and mm_check(1)

# A waiting free that is the pending-free block itself, the run directory, the big class table,
# past the heap or misaligned.
OWN_OR_OUTSIDE = (r"pending free at offset \d+ is twice in the ring or the held stacks, outside "
                  r"the heap, misaligned or the allocator's own block")
# scenario (tests/fixtures/mm/heapcheck.c's table) -> what mm_check must print when it returns 0:
# the invariant, and the heap offset of the block at fault wherever its message can give one.
CORRUPTIONS = {
    # the heap walk: every block's header, footer and neighbours
    "size": r"block at offset \d+: bad size 268435456 \(blocks do not tile",  # runs past the end
    "size-zero": r"block at offset \d+: bad size 0 \(blocks do not tile",
    "size-unaligned": r"block at offset \d+: bad size \d+ \(blocks do not tile",
    "footer": r"free block at offset \d+: footer \d+ does not match header size \d+",
    "prevbit": r"block at offset \d+: PREV_ALLOC bit 1 but the block before is free",
    "epilogue-prevbit": r"epilogue at offset \d+: PREV_ALLOC bit says the last block is "
                        r"(allocated, but it is free|free, but it is allocated)",
    "epilogue": r"epilogue at offset \d+ is not a 0-size allocated header",
    "free-run": r"block at offset \d+: free but tagged as a run",
    "uncoalesced": r"free block at offset \d+: its left neighbour is free too \(not coalesced\)",
    "overlap": r"free list: block at offset \d+ lies inside block at offset \d+ \(overlapping "
               r"blocks\)",
    "padding": r"padding word at offset 0 is \d+, not 0",
    "padding-last": r"padding word at offset \d+ is \d+, not 0",
    "heap-uninit": r"heap not initialised",
    "heap-size": r"recorded heap size \d+ \(epilogue at offset \d+\), but the heap has \d+ bytes",
    "shrink-level": r"shrink level \d+ past its maximum \d+",
    # the free lists (small free blocks)
    "list-alloc": r"free list \d+: block at offset \d+ is allocated",
    "list-class": r"free list \d+: block at offset \d+ has size \d+, of another class",
    "list-link": r"free list \d+: block at offset \d+ has prev link \d+, expected \d+",
    "link-outside": r"free list: link \d+ points outside the heap's blocks",
    "list-bitmap": r"free list bitmap bit (\d+) disagrees with list \1\b",
    "missing-small": r"free block at offset \d+ \(size \d+\) is missing from its free list",
    # the big classes, their bitmap and their table
    "alloc-tag": r"big class \d+: block at offset \d+ is allocated",
    "big-link": r"big class \d+: block at offset \d+ is allocated",
    "big-class": r"big class \d+: block at offset \d+ has size \d+, of another class",
    "big-prev": r"big class \d+: block at offset (\d+) has prev link \1, expected \d+",
    "big-bitmap": r"big class bitmap bit 63 disagrees with big class 63",
    "missing": r"free block at offset \d+ \(size \d+\) is missing from its free big class",
    "table-early": r"big class bitmap 0x[0-9a-f]+ set before the table exists",
    "table-block": r"big class table at offset \d+ is not an allocated block of its size",
    "table-fits": r"free block at offset \d+ \(\d+ bytes\) fits the big class table, but the "
                  r"table is not retried",
    "table-at": r"table due at heap size \d+, none of TABLE_AT, TABLE_TOP_AT and TABLE_NEVER",
    # runs, their lists, the run directory and its map
    "run-align": r"run at offset \d+: payload not 64-aligned",
    "slot-size": r"run at offset \d+: bad slot size \d+ / inverse \d+",
    "slot-count": r"run at offset \d+: 65 slots of \d+ bytes do not fit its \d+ bytes",
    "slot-span": r"run at offset \d+: span \d+ is not its \d+ slots of \d+ bytes",
    "slot-bitmap": r"run at offset \d+: slot bitmap 0x[0-9a-f]+ marks slots past its \d+ slots",
    "slot-all-free": r"run at offset \d+: slot bitmap says every slot is free, yet the run was "
                     r"not freed",
    "slot-full": r"run list \d+: run at offset \d+ is listed as having free slots, but its slot "
                 r"bitmap says it is full",
    "run-list-not-run": r"run list \d+: offset \d+ is not a run of the heap",
    "run-list-links": r"run list 0: run at offset \d+: its links lie past its block",
    "run-list-class": r"run list (\d+): run at offset \d+ has class (?!\1,)\d+,",
    "run-list-prev": r"run list (\d+): run at offset (\d+) has class \1, prev link \2 ",
    "run-list-missing": r"run lists hold 0 runs, the heap has 1 runs with free slots",
    "run-level": r"run class \d+: growth level 6",
    "thrash-flag": r"recorded that no class thrashes, but one does",
    "kept-not-head": r"run list \d+: run at offset \d+ is empty but does not head its list",
    "run-map": r"run at offset \d+: its start is not marked in the run map",
    "map-inside": r"run map marks offset \d+, inside block at offset \d+ \(overlapping blocks\)",
    "map-nowhere": r"run map marks offset \d+, where no run starts",
    "map-len": r"recorded run map length \d+ words, but the run directory's block at offset \d+ "
               r"holds \d+",
    "map-no-dir": r"recorded run map length \d+ words, but there is no run directory",
    "run-count": r"recorded run count \d+, but the heap has \d+ runs",
    "runs-sparse": r"run_of's quick exit is (on|off), but .* are (dense|sparse)",
    "dir-outside": r"run directory offset \d+ outside the heap",
    "dir-block": r"run directory at offset \d+ is not an allocated block of its size",
    # the pending-free ring of a heap past DEFER_AT
    "pending-twice": r"pending free at offset \d+ is twice in the ring",
    "pending-position": r"pending-free ring at offset \d+: position 8 past its 8 slots",
    "pending-full": r"pending-free ring at offset \d+: its next slot 3 is taken \(8 frees "
                    r"would wait, at most 7 may\)",
    "pending-free-block": r"pending free at offset \d+ is not the payload of an allocated block",
    "pending-free-slot": r"pending free at offset \d+ is no allocated slot of the run at offset "
                         r"\d+",
    "pending-own": OWN_OR_OUTSIDE,
    "pending-dir": OWN_OR_OUTSIDE,
    "pending-table": OWN_OR_OUTSIDE,
    "pending-outside": OWN_OR_OUTSIDE,
    "pending-misaligned": OWN_OR_OUTSIDE,
    "pending-below": r"1 frees pending in a heap of \d+ bytes, below DEFER_AT",
    "defer-outside": r"pending-free block offset \d+ outside the heap",
    "defer-block": r"pending-free block at offset \d+ is not an allocated block of its size",
    # the held stacks of the pending-free block
    "held-count": r"pending-free block at offset \d+ holds 16 blocks of 16 bytes, past its 15",
    "held-twice": r"pending free at offset \d+ is twice in the ring or the held stacks",
    "held-size": r"held block at offset \d+ has \d+ bytes, in the stack of 16",
    "held-slot": r"held block at offset \d+ is a slot of the run at offset \d+",
}
# At ALIGNMENT 8 the three flag bits leave every size a multiple of 8: nothing to corrupt.
ONLY_AT = {"size-unaligned": 16}
# What mm_check tests but no single corruption can reach, because an earlier check of the same
# walk fails first (kept here so that the list above is known to be complete):
#   payload alignment of an ordinary block   follows from FIRST_BLOCK_OFF and aligned sizes
#   "walk ends at offset" (blocks do not tile)   the size check keeps every block below the end
#   "runs exist but there is no run directory"   each run fails "not marked in the run map" first
#   the count guards of the free lists, big classes and run lists (cycles, stale links)
#                                            a repeated node breaks its prev link first
#   "free lists / big classes hold N blocks"  the slow pass names the block at fault first
#   "run map marks N run starts"              a missing mark fails the run, an extra one is named
def build_fixture(alignment):
    os.makedirs(os.path.join(ROOT, BUILD), exist_ok=True)
    exe = os.path.join(BUILD, f"heapcheck{alignment}")
    cmd = ["cc", "-O2", "-g", "-std=c11", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE",
           f"-DALIGNMENT={alignment}", "-I.", "-o", exe, FIXTURE, "memlib.c"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"cannot build {FIXTURE}:\n{p.stderr}")
    return exe


def build_mdriver(alignment):
    if alignment == 16 and os.path.exists(os.path.join(ROOT, "mdriver")):
        return "mdriver"
    out = os.path.join(BUILD, f"a{alignment}", "mdriver")
    cmd = ["make", "-s", "mdriver", f"ALIGNMENT={alignment}",
           f"BUILD={os.path.join(BUILD, f'a{alignment}')}", f"MDRIVER={out}"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"cannot build mdriver at ALIGNMENT={alignment}:\n{p.stderr}")
    return out


def run(exe, *args, timeout=120):
    return subprocess.run([os.path.join(".", exe)] + list(args), cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def values(stdout):
    return dict(line.split("=", 1) for line in stdout.splitlines() if "=" in line)


class HeapChecker(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.exe = {a: build_fixture(a) for a in ALIGNMENTS}

    def scenario(self, alignment, name):
        p = run(self.exe[alignment], name)
        self.assertEqual(p.returncode, 0, f"{name} at {alignment}: {p.stdout}{p.stderr}")
        return values(p.stdout), p.stderr

    def test_clean_heap_passes(self):
        for a in ALIGNMENTS:
            v, err = self.scenario(a, "clean")
            self.assertEqual(v.get("mm_check"), "1", err)
            self.assertNotIn("mm_check:", err.replace("mm_check: ok", ""))

    def test_each_corruption_is_caught_and_named(self):
        for a in ALIGNMENTS:
            for name, message in CORRUPTIONS.items():
                if ONLY_AT.get(name, a) != a:
                    continue
                with self.subTest(alignment=a, corruption=name):
                    v, err = self.scenario(a, name)
                    self.assertEqual(v.get("mm_check"), "0", f"{name} went unnoticed: {err}")
                    self.assertEqual(v.get("verbose"), "0", f"{name}: verbose call: {err}")
                    quiet, _, verbose = err.partition(VERBOSE_MARK)
                    said = [l for l in quiet.splitlines() if not l.startswith("mm_check: ok")]
                    self.assertEqual(said, [], f"{name}: mm_check(0) printed")  # ok: the build's
                    self.assertRegex(verbose, re.compile(rf"^mm_check: {message}", re.M),
                                     f"{name}: wrong diagnosis")

    def test_every_corruption_of_the_fixture_is_checked(self):
        with open(os.path.join(ROOT, FIXTURE)) as f:
            made = re.findall(r'^    \{"([a-z-]+)", build', f.read(), re.M)
        self.assertEqual(sorted(made), sorted(CORRUPTIONS))


class Interface(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.exe = {a: build_fixture(a) for a in ALIGNMENTS}

    def check(self, name, expected):
        for a in ALIGNMENTS:
            with self.subTest(alignment=a):
                p = run(self.exe[a], name)
                self.assertEqual(p.returncode, 0, p.stderr)
                v = values(p.stdout)
                for key, want in expected.items():
                    self.assertEqual(v.get(key), want, f"{name}: {key} ({p.stdout}{p.stderr})")
                self.assertEqual(v.get("mm_check"), "1", f"{name}: heap unsound: {p.stderr}")

    def test_the_checker_allows_the_limits_of_its_states(self):
        # the highest shrink level, and the table waiting for the top while the one free block
        # is an alignment unit short of it, are sound; a free block of the table's size is not
        self.check("state-bounds", {"shrink_max": "1", "table_short": "1", "table_fits": "0"})

    def test_calloc_overflow_gives_null(self):
        self.check("calloc-overflow", {"calloc": "NULL"})

    def test_calloc_zeroes_a_reused_block(self):
        self.check("calloc-reused", {"reused": "1", "zeroed": "1"})

    def test_calloc_leaves_memory_new_to_the_heap_untouched(self):
        self.check("calloc-new", {"untouched": "1", "zeroed": "1"})

    def test_calloc_zeroes_a_freed_top_block_it_grows_with_new_memory(self):
        self.check("calloc-top", {"reused": "1", "zeroed": "1"})

    def test_calloc_zeroes_memory_the_heap_gave_back_and_takes_again(self):
        self.check("calloc-regrown", {"shrank": "1", "reused": "1", "zeroed": "1"})

    def test_out_of_memory_gives_null_and_a_sound_heap(self):
        self.check("oom", {"big": "NULL", "filled": "1"})

    def test_failed_realloc_leaves_the_block_intact(self):
        self.check("realloc-fail", {"realloc": "NULL", "intact": "1"})

    def test_realloc_grows_in_place_at_the_top(self):
        self.check("realloc-top", {"same": "1"})

    def test_realloc_grows_into_a_free_neighbour_and_shrinks_in_place(self):
        self.check("realloc-neighbour", {"same": "1", "shrink": "1"})

    def test_a_block_growing_beside_the_table_takes_its_place_and_the_table_moves(self):
        self.check("realloc-yield-table", {"into_table": "1", "table_moved": "1", "intact": "1"})

    def test_the_table_stays_beside_a_block_less_than_four_times_its_size(self):
        self.check("realloc-yield-small", {"table_kept": "1", "elsewhere": "1", "intact": "1"})

    def test_a_full_heap_leaves_the_table_and_the_block_in_place_when_the_table_cannot_move(self):
        self.check("realloc-yield-full", {"realloc": "NULL", "table_kept": "1", "intact": "1"})

    def test_a_block_growing_beside_the_run_directory_grows_in_place_and_the_map_moves(self):
        self.check("realloc-yield-dir", {"same": "1", "dir_moved": "1", "intact": "1",
                                         "runs_left": "0"})

    def test_the_table_made_at_the_top_rides_up_as_the_block_below_it_grows(self):
        self.check("table-rides", {"same": "1", "table_after": "1", "tight": "1", "intact": "1"})

    def test_the_table_sinks_into_the_hole_below_it_so_the_hole_joins_the_heap_top(self):
        self.check("table-sinks", {"sunk": "1", "merged": "1", "no_growth": "1"})

    def test_heap_shrinks_after_a_big_top_block_is_freed(self):
        self.check("shrink-heap", {"grew": "1", "shrank": "1"})

    def test_frees_past_defer_at_wait_their_turn_then_the_heap_shrinks(self):
        self.check("defer-shrink", {"waited": "1", "still": "1", "shrank": "1"})

    def test_small_frees_past_defer_at_are_held_for_the_next_request_of_their_size(self):
        self.check("defer-hold", {"held": "1", "reused": "1", "flushed": "1"})

    def test_frees_of_the_smallest_and_largest_held_sizes_are_held_too(self):
        for name in ("defer-hold-smallest", "defer-hold-largest"):
            self.check(name, {"held": "1", "reused": "1", "flushed": "1"})

    def test_a_run_slot_is_never_held(self):
        self.check("defer-hold-slot", {"unheld": "1"})

    def test_a_request_past_the_held_sizes_reads_no_stack(self):
        self.check("defer-take-big", {"apart": "1"})

    def test_a_request_for_a_run_slot_takes_no_held_block(self):
        self.check("defer-hold-run-request", {"slot": "1"})

    def test_held_blocks_are_freed_before_the_heap_grows_for_a_larger_request(self):
        self.check("defer-flush-held", {"in_hole": "1"})

    def test_waiting_frees_are_done_before_the_heap_grows(self):
        self.check("defer-flush-ring", {"in_hole": "1"})

    def test_held_blocks_stay_held_when_the_heap_grows_for_a_request_up_to_their_sizes(self):
        self.check("defer-hold-kept", {"kept": "1"})

    def test_held_blocks_stay_held_when_the_top_block_has_room_for_a_larger_request(self):
        self.check("defer-hold-top-room", {"kept": "1"})

    def test_a_free_past_defer_at_without_room_to_wait_is_done_at_once(self):
        self.check("defer-no-room", {"reused": "1"})

    def test_a_held_stack_takes_no_more_than_its_depth(self):
        self.check("defer-hold-full", {"full": "1"})

    def test_free_top_block_serves_only_what_fits_nowhere_else(self):
        self.check("top-last", {"interior": "1"})

    def test_a_new_run_of_big_slots_waits_while_a_small_hole_fits_the_request(self):
        self.check("run-fill", {"filled": "1", "run": "1"})

    def test_a_small_request_splits_a_big_hole_from_its_high_end_when_it_keeps_its_class(self):
        self.check("split-high", {"placed0": "1", "placed1": "1", "placed2": "1"})

    def test_a_moved_block_takes_the_lowest_hole_only_up_to_eight_times_its_size(self):
        self.check("move-span", {"tightest0": "1", "tightest1": "1"})

    def test_a_block_at_the_top_slides_into_the_hole_below_on_credit_unless_it_is_large(self):
        self.check("slide-credit", {"paid": "1", "free": "1"})

    def test_a_big_hole_is_kept_for_its_size_while_smaller_requests_take_the_top(self):
        self.check("kept-hole", {"spared": "1", "kept": "1", "renewed": "1", "bounded": "1"})

    def test_a_class_that_keeps_freeing_runs_keeps_one_empty_run(self):
        self.check("run-thrash", {"freed": "1", "kept": "1", "reused": "1"})

    def test_a_realloc_that_grows_the_heap_frees_the_kept_empty_runs_first(self):
        self.check("run-thrash-grow", {"kept": "1", "flushed": "1", "intact": "1"})

    def test_a_realloc_at_the_top_beside_a_hole_frees_the_kept_empty_runs_first(self):
        self.check("run-thrash-slide", {"kept": "1", "flushed": "1", "intact": "1"})

    def test_shrink_threshold_doubles_when_given_back_memory_is_wanted_again(self):
        self.check("shrink-backoff", {"first": "1", "kept": "1", "again": "1"})


@unittest.skipUnless(os.path.isdir(CSAPP), "classic traces not found")
class CheckerBeforeEveryOp(unittest.TestCase):
    """mdriver -D: mm_check before every op (correctness-only runs, no timing)."""

    def replay(self, alignment, traces):
        exe = build_mdriver(alignment)
        args = ["-D", "-s", "600"]  # the checker is O(heap) per op: slow on a busy machine
        for t in traces:
            args += ["-c", os.path.join(CSAPP, t + ".rep")]
        p = run(exe, *args, timeout=600)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("heap checker", (p.stdout + p.stderr).lower())

    def test_every_classic_trace_at_alignment_16(self):
        self.replay(16, CLASSIC)

    def test_some_classic_traces_at_alignment_8(self):
        self.replay(8, ["amptjp-bal", "coalescing-bal", "binary2-bal", "realloc2-bal"])


if __name__ == "__main__":
    unittest.main()
