"""mdriver's figures, checked against numbers worked out by hand.

tests/fixtures/driver/bump.c takes exactly ALIGNMENT + round_up(size) bytes of heap per block and
gives the top block back when it is freed, so the heap's high-water mark of a small trace is
known; the bound depends only on the trace. Built at ALIGNMENT 16 and 8, into build/td/scores*.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join("tests", "fixtures", "driver")
BUILDS = {16: "build/td/scores16", 8: "build/td/scores8"}
KBEST = os.path.join("build", "td", "kbest_runs")


def mdriver(alignment):
    return os.path.join(BUILDS[alignment], "mdriver")


def setUpModule():
    for alignment, build in BUILDS.items():
        subprocess.run(["make", "-s", "mdriver", f"MM={FIX}/bump.c", f"ALIGNMENT={alignment}",
                        f"BUILD={build}", f"MDRIVER={mdriver(alignment)}"], cwd=ROOT,
                       check=True, capture_output=True, timeout=300)
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I.", "-o", KBEST,
                    os.path.join(FIX, "kbest_runs.c"), os.path.join("driver", "kbest.c")],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)


def run(alignment, *args):
    return subprocess.run([mdriver(alignment)] + list(args), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def run_json(alignment, *traces, extra=()):
    args = ["--json", "--thru-ref", "1"] + list(extra)
    for t in traces:
        args += ["-f", os.path.join(FIX, t)]
    p = run(alignment, *args)
    if p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)


class HandChecked(unittest.TestCase):
    def trace(self, alignment, name):
        return run_json(alignment, name)["traces"][0]

    def test_small_at_16(self):
        # heap: 16+112, 16+64, (free below the top), 16+16 -> 240; payload peaks at 100+50.
        # live rounded to 16: 112, 176, 64, 80 -> peak 176.
        t = self.trace(16, "small.rep")
        self.assertEqual(t["peak_payload"], 150)
        self.assertEqual(t["peak_heap"], 240)
        self.assertAlmostEqual(t["util"], 150 / 240, places=5)
        self.assertAlmostEqual(t["bound"], 150 / 176, places=5)

    def test_small_at_8(self):
        # heap: 8+104, 8+56, -, 8+16 -> 200; live rounded to 8: 104, 160, 56, 72 -> peak 160.
        t = self.trace(8, "small.rep")
        self.assertEqual(t["peak_heap"], 200)
        self.assertAlmostEqual(t["util"], 150 / 200, places=5)
        self.assertAlmostEqual(t["bound"], 150 / 160, places=5)

    def test_shrinking_at_the_end_earns_nothing(self):
        # 16+112 bytes, then given back: the high-water mark, not the final 0, counts.
        t = self.trace(16, "shrink.rep")
        self.assertEqual(t["peak_heap"], 128)
        self.assertAlmostEqual(t["util"], 100 / 128, places=5)
        self.assertAlmostEqual(t["bound"], 100 / 112, places=5)

    def test_every_op_kind(self):
        # a0 24, c1 3x8, r0 40 (moves: 16+48), f -1, f 3 (not live: free(NULL)), r2 16 (not
        # live: malloc), frees. Heap 48+48+64+32 = 192; payload peaks at 40+24+16 = 80;
        # rounded to 16: 48+32+16 = 96.
        t = self.trace(16, "ops.rep")
        self.assertTrue(t["valid"], t["error"])
        self.assertEqual((t["peak_payload"], t["peak_heap"]), (80, 192))
        self.assertAlmostEqual(t["util"], 80 / 192, places=5)
        self.assertAlmostEqual(t["bound"], 80 / 96, places=5)

    def test_bound_of_a_trace_without_payload_is_one(self):
        # 0 bytes live at the peak, 0 bytes rounded up: an ideal allocator wastes nothing. bump
        # takes its ALIGNMENT-byte header for the block, so utilization is 0 of 16.
        t = self.trace(16, "empty_blocks.rep")
        self.assertTrue(t["valid"], t["error"])
        self.assertEqual((t["peak_payload"], t["peak_heap"]), (0, 16))
        self.assertEqual(t["bound"], 1.0)
        self.assertEqual(t["util"], 0.0)

    def test_place_of_a_freed_empty_block_is_free(self):
        # A 0-byte block has no bytes: once freed, a block at its address overlaps nothing.
        t = self.trace(16, "empty_block_reused.rep")
        self.assertTrue(t["valid"], t["error"])
        self.assertEqual((t["peak_payload"], t["peak_heap"]), (16, 32))

    def test_average_and_perf_index(self):
        # --thru-ref 1 Kops/s: throughput is capped at the reference, so it gives all its 40.
        out = run_json(16, "small.rep", "shrink.rep")
        avg = (150 / 240 + 100 / 128) / 2
        self.assertAlmostEqual(out["total"]["util"], avg, places=5)
        self.assertAlmostEqual(out["total"]["perfidx"], 100 * (0.6 * avg + 0.4), places=3)
        self.assertEqual(out["thru_ref_kops"], 1)
        self.assertTrue(out["total"]["valid"])

    def test_total_bound_is_the_mean_of_the_traces(self):
        p = run(16, "-T", "--thru-ref", "1", "-f", os.path.join(FIX, "small.rep"),
                "-f", os.path.join(FIX, "shrink.rep"))
        self.assertEqual(p.returncode, 0, p.stderr)
        total = [line.split("\t") for line in p.stdout.splitlines() if "\tTOTAL\t" in line]
        self.assertEqual(len(total), 1, p.stdout)
        self.assertAlmostEqual(float(total[0][4]), (150 / 176 + 100 / 112) / 2, places=5)

    def test_summary_splits_the_index_into_util_and_thru(self):
        p = run(16, "--thru-ref", "1", "-f", os.path.join(FIX, "small.rep"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("mm: Perf index = 37.5 (util) + 40.0 (thru) = 77.5/100\n", p.stdout)

    def test_tsv_total_has_the_index_to_a_tenth(self):
        p = run(16, "-T", "--thru-ref", "1", "-f", os.path.join(FIX, "small.rep"))
        total = p.stdout.splitlines()[-1].split("\t")
        self.assertEqual(total[:3] + total[8:], ["mm", "TOTAL", "yes", "77.5", ""])

    def test_correctness_only_has_no_perf_index(self):
        out = run_json(16, extra=["-c", os.path.join(FIX, "small.rep")])
        self.assertEqual((out["total"]["kops"], out["total"]["perfidx"]), (None, None))
        self.assertAlmostEqual(out["total"]["util"], 0.625, places=5)

    def test_throughput_below_the_reference(self):
        # A reference far above any machine: thru/thru_ref is tiny, the index is almost util's.
        out = run_json(16, "small.rep", extra=["--thru-ref", "1e12"])
        total = out["total"]
        expected = 100 * (0.6 * total["util"] + 0.4 * total["kops"] / 1e12)
        self.assertAlmostEqual(total["perfidx"], expected, places=3)
        self.assertLess(total["perfidx"], 60 * total["util"] + 0.01)

    def test_kops_is_ops_over_secs(self):
        t = self.trace(16, "small.rep")
        self.assertGreater(t["secs"], 0)
        self.assertAlmostEqual(t["kops"], t["ops"] / t["secs"] / 1000, delta=t["kops"] * 1e-3)

    def test_grade_lines_round_the_index(self):
        p = run(16, "-g", "--thru-ref", "1", "-f", os.path.join(FIX, "small.rep"))
        self.assertEqual(p.returncode, 0, p.stderr)
        # 100 * (0.6 * 0.625 + 0.4) = 77.5, printed without decimals
        self.assertEqual(p.stdout.split(), ["correct:1", "perfidx:78"])

    def test_autolab_line(self):
        p = run(16, "-A", "--thru-ref", "1", "-f", os.path.join(FIX, "small.rep"))
        out = json.loads(p.stdout)
        self.assertEqual(out["scores"]["Autograded Score"], 77.5)
        self.assertEqual(out["scoreboard"][:2], [77.5, 62.5])
        # the last figure is the throughput in Kops/s, as --json gives it (a few ops at
        # --thru-ref 1: far above 1, however slow the machine)
        self.assertEqual(len(out["scoreboard"]), 3)
        self.assertGreater(out["scoreboard"][2], 1)


class FailedTrace(unittest.TestCase):
    """too_big.rep asks for more than the heap holds: bump's NULL is out of memory, the trace
    fails, and every output says so."""
    TRACE = os.path.join(FIX, "too_big.rep")

    def test_summary_counts_one_error(self):
        p = run(16, "--thru-ref", "1", "-f", self.TRACE, "-f", os.path.join(FIX, "small.rep"))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("mm: terminated with 1 error (1 of 2 traces correct)\n", p.stdout)

    def test_grade_lines_give_nothing(self):
        p = run(16, "-g", "--thru-ref", "1", "-f", self.TRACE)
        self.assertEqual(p.stdout.split(), ["correct:0", "perfidx:0"])

    def test_null_within_an_allocators_overhead_of_the_max_is_out_of_memory(self):
        # 65530 bytes fit the 64 KiB heap, but no allocator's block of them does (bump's takes
        # 65552): its NULL is out of memory, not a false NULL.
        p = run(16, "--thru-ref", "1", "--max-heap", "64K", "-f",
                os.path.join(FIX, "near_max.rep"))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("near_max: op 0 (line 6): out of memory: 65530 bytes for block 0 do not "
                      "fit (heap 0 of max 65536 bytes)", p.stderr)

    def test_tsv_total_is_not_valid(self):
        p = run(16, "-T", "--thru-ref", "1", "-f", self.TRACE)
        self.assertEqual(p.stdout.splitlines()[-1].split("\t")[:3], ["mm", "TOTAL", "no"])


class OddNames(unittest.TestCase):
    """Trace names are the files' names, whatever their bytes: the machine formats stay
    parseable."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def trace_named(self, name):
        path = os.path.join(self.tmp.name.encode(), name + b".rep")
        shutil.copy(os.path.join(ROOT, FIX, "small.rep").encode(), path)
        return os.fsdecode(path)

    def test_csv_quotes_a_name_with_quotes_or_commas(self):
        for name in ('"q"', "a,b"):
            p = run(16, "--csv", "--thru-ref", "1", "-f", self.trace_named(name.encode()))
            self.assertEqual(p.returncode, 0, p.stderr)
            rows = list(csv.DictReader(io.StringIO(p.stdout)))
            self.assertEqual((rows[0]["trace"], rows[0]["peak_heap"]), (name, "240"))

    def test_json_escapes_a_byte_that_is_not_utf8(self):
        # Latin-1 e-acute: not UTF-8, so only an escape (os.fsdecode's \udcXX) keeps the output
        # valid JSON and names the file.
        p = subprocess.run([os.path.join(ROOT, mdriver(16)), "--json", "--thru-ref", "1", "-f",
                            self.trace_named(b"caf\xe9")], capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.isascii())
        self.assertEqual(json.loads(p.stdout)["traces"][0]["name"], "caf\udce9")


def kbest(*secs):
    """driver/kbest.c fed these run times: "RUNS SECS" where it stopped, or "more"."""
    p = subprocess.run([os.path.join(ROOT, KBEST)] + [str(x) for x in secs],
                       capture_output=True, text=True, check=True, timeout=60)
    return p.stdout.strip()


class KBestRule(unittest.TestCase):
    """SPEC: repeat until the best K=3 runs agree within 1%, at most 20; the time is the best."""

    def test_three_runs_within_one_percent_stop_at_the_third(self):
        self.assertEqual(kbest(1.0, 1.005, 1.0099, 5), "3 1")

    def test_the_best_three_must_agree_not_the_first(self):
        # 1.0, 1.02, 1.03 are 3% apart; 1.0095 and 1.005 bring the best three within 1%.
        self.assertEqual(kbest(1.0, 1.02, 1.03, 1.0095), "more")
        self.assertEqual(kbest(1.0, 1.02, 1.03, 1.0095, 1.005, 7), "5 1")

    def test_kept_time_is_the_fastest_in_any_order(self):
        self.assertEqual(kbest(1.0099, 1.005, 1.0, 5), "3 1")

    def test_runs_that_never_agree_stop_at_twenty(self):
        self.assertEqual(kbest(*range(1, 20)), "more")
        self.assertEqual(kbest(*range(1, 30)), "20 1")


if __name__ == "__main__":
    unittest.main()
