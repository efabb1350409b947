"""The grader's outputs: results.json/.csv, per-submission logs, Autolab and Gradescope
formats, and the leaderboard (gnuplot chart + a sortable HTML table that opens from disk)."""
import csv
import html
import json
import os
import shutil
import subprocess
import sys

ERRORS_SHOWN = 3  # errors listed in a leaderboard cell; the log has them all
UNMEASURED = "?"  # the chart's data for a figure never measured: no bar, not a bar at 0


def fmt(x, spec=".3f"):
    return "" if x is None else format(x, spec)


def pct(x):
    return None if x is None else round(100 * x, 1)


def ranked(results):
    """Best score first; ties by name, whatever its case, so the order is stable across runs
    and merges."""
    return sorted(results, key=lambda r: (-r["score"], r["name"].lower(), r["name"]))


def standings(results):
    """(rank, result) best first, equal scores sharing a rank (1, 2, 2, 4): the order of names
    among them is no ranking of the students."""
    rows = []
    for i, r in enumerate(ranked(results), 1):
        rows.append((rows[-1][0] if rows and rows[-1][1]["score"] == r["score"] else i, r))
    return rows


def reference(thru_ref):
    """The throughput reference as the outputs name it, from thru_ref: the figure --thru-ref
    gave, or glibc, timed in the same run (thru_ref None, or meta's text for glibc)."""
    return f"{thru_ref:g} Kops/s" if isinstance(thru_ref, (int, float)) else "glibc"


def reference_timed(thru_ref):
    """reference(), and when glibc was timed."""
    ref = reference(thru_ref)
    return ref + ", same run" if ref == "glibc" else ref


def submission_log(r, thru_ref):
    lines = [f"submission {r['name']}  ({r['source']})",
             f"status {r['status']}  score {r['score']:.2f}  correct {r['correct']}",
             f"perf index {fmt(r['perfidx'], '.2f')}  util {fmt(r['util'])}  "
             f"kops {fmt(r['kops'], '.0f')}  reference ({reference(thru_ref)}) kops "
             f"{fmt(r['thru_ref_kops'], '.0f')}  throughput ratio {fmt(r['thru_ratio'])}",
             f"sandbox: {r['sandbox']}", f"build log: {r['build_log'] or 'none (not built)'}", ""]
    if r.get("runs_perfidx"):
        lines.insert(3, "perf index of each run (median kept): " +
                     ", ".join(fmt(x, ".2f") for x in r["runs_perfidx"]))
    if r["findings"]:
        lines.append("static checks:")
        lines += [f"  [{f['check']}{'' if f['blocking'] else ', warning'}] {f['message']}"
                  for f in r["findings"]]
    elif r.get("globals_bytes") is None:  # set by every run of the checks
        lines.append("static checks: not run (no mm.o was built)")
    else:
        lines.append("static checks: nothing found")
    if r.get("globals_bytes") is not None:
        lines.append(f"writable global data: {r['globals_bytes']} bytes")
    if r["traces"]:
        lines += ["", f"{'trace':<24} {'valid':>5} {'util':>6} {'kops':>10}  error"]
        for t in r["traces"]:
            lines.append(f"{str(t['name']):<24} {'yes' if t['valid'] else 'no':>5} "
                         f"{fmt(t['util']):>6} {fmt(t['kops'], '.0f'):>10}  {t['error'] or ''}")
    if r["errors"]:
        lines += ["", "errors:"] + ["  " + e for e in r["errors"]]
    if r.get("driver_stderr"):
        lines += ["", "driver stderr:", r["driver_stderr"]]
    return "\n".join(lines) + "\n"


def autolab_line(r):
    """The scoreboard line Autolab reads last on the autograder's output (like mdriver -A)."""
    return json.dumps({"scores": {"Autograded Score": r["score"]},
                       "scoreboard": [r["score"], pct(r["util"]) or 0.0,
                                      pct(r["thru_ratio"]) or 0.0]})


def measured(what, value, status, text):
    """text, or why there is no figure to show (a submission that did not build, ...), and
    why a figure shown earns nothing (a trace failed, a finding rejected the code)."""
    if value is None:
        return f"{what} not measured: {status}"
    return text if status == "ok" else f"{text}; no credit: the submission is {status}"


def write_gradescope(path, r, weight, thru_ref):
    """Gradescope's results.json: the perf index split into its utilization and throughput
    parts, plus one informational test per trace and one for the static checks."""
    ok = r["status"] == "ok"
    ref = reference(thru_ref)
    util_pts = 100 * weight * (r["util"] or 0) if ok else 0.0
    thru_pts = r["score"] - util_pts if ok else 0.0
    tests = [{"name": "Build and static checks", "score": 0, "max_score": 0,
              "status": "passed" if r["status"] not in ("build-error", "rejected", "missing")
              else "failed",
              "output": "\n".join([f["message"] for f in r["findings"]] +
                                  [e for e in r["errors"] if e.startswith(("build", "no mm.c"))])
              or "built; no finding"}]
    for t in r["traces"]:
        tests.append({"name": f"trace {t['name']}", "score": 0, "max_score": 0,
                      "status": "passed" if t["valid"] else "failed",
                      "output": t["error"] or f"util {fmt(t['util'])}, {fmt(t['kops'], '.0f')} "
                      "Kops"})
    tests += [{"name": "Utilization", "score": round(util_pts, 2),
               "max_score": round(100 * weight, 2),
               "output": measured("utilization", r["util"], r["status"],
                                 f"average utilization {fmt(r['util'])}")},
              {"name": f"Throughput (vs {reference_timed(thru_ref)})",
               "score": round(thru_pts, 2), "max_score": round(100 * (1 - weight), 2),
               "output": measured("throughput", r["thru_ratio"], r["status"],
                                  f"{fmt(r['kops'], '.0f')} Kops, ratio to {ref} "
                                  f"{fmt(r['thru_ratio'])}")}]
    out = {"score": r["score"], "output": f"status {r['status']}; " +
           ("; ".join(r["errors"][:3]) or "all traces correct"), "tests": tests}
    with open(path, "w") as f:
        json.dump(out, f, indent=1)


def trace_columns(results):
    names = []
    for r in results:
        for t in r["traces"]:
            if t["name"] not in names:
                names.append(t["name"])
    return names


def write_csv(path, results):
    tnames = trace_columns(results)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rank", "name", "score", "status", "correct", "perfidx", "util", "thru_ratio",
                    "kops", "ref_kops", "globals_bytes", "findings", "errors"] +
                   [f"{t} {k}" for t in tnames for k in ("util", "kops")] + ["log", "build_log"])
        for i, r in standings(results):
            per = {t["name"]: t for t in r["traces"]}
            cells = []
            for t in tnames:
                cells += [fmt(per.get(t, {}).get("util")), fmt(per.get(t, {}).get("kops"), ".1f")]
            w.writerow([i, r["name"], f"{r['score']:.2f}", r["status"], int(r["correct"]),
                        fmt(r["perfidx"], ".2f"), fmt(r["util"], ".4f"),
                        fmt(r["thru_ratio"], ".4f"),
                        fmt(r["kops"], ".1f"), fmt(r["thru_ref_kops"], ".1f"),
                        "" if r.get("globals_bytes") is None else r["globals_bytes"],
                        "; ".join(x["message"] for x in r["findings"]),
                        "; ".join(r["errors"])] + cells + [r["log"], r["build_log"]])


def write_chart(out, results):
    """leaderboard.png: perf index and utilization per submission, best first. Returns the
    file name, or None when gnuplot is missing or fails (the HTML page then has no chart, and
    a note on stderr says why)."""
    if not results:
        return None
    if not shutil.which("gnuplot"):
        return no_chart("gnuplot is not installed (Debian package gnuplot-nox)")
    rows = standings(results)
    dat = os.path.join(out, "leaderboard.dat")
    with open(dat, "w") as f:
        f.write(f"# rank name score util_pct ({UNMEASURED}: not measured)\n")
        for i, r in rows:
            name = r["name"].replace('"', "'")
            util = UNMEASURED if r["util"] is None else f'{pct(r["util"]):.1f}'
            f.write(f'{i} "{name}" {r["score"]:.2f} {util}\n')
    width = max(800, 22 * len(rows) + 150)
    script = f"""set terminal pngcairo size {width},480 font ",9"
set output "{os.path.join(out, 'leaderboard.png')}"
set title "Perf index and utilization, best first"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set datafile missing "{UNMEASURED}"
set yrange [0:105]
set ylabel "percent"
set grid ytics
set key top right
set xtics rotate by -60 noenhanced
plot "{dat}" using 3:xtic(2) title "score (perf index; 0 when incorrect or rejected)", \\
     "" using 4 title "utilization (%)"
"""
    r = subprocess.run(["gnuplot"], input=script, capture_output=True, text=True)
    if r.returncode != 0:
        return no_chart(f"gnuplot failed: {(r.stderr.strip().splitlines() or ['?'])[-1]}")
    return "leaderboard.png"


def no_chart(why):
    """write_chart's None, with the reason on stderr."""
    print(f"tools/grade: note: no leaderboard.png: {why}", file=sys.stderr)
    return None


SORT_JS = """
document.querySelectorAll("th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var body = document.querySelector("tbody"), rows = Array.from(body.rows);
    var asc = th.dataset.asc !== "1";
    document.querySelectorAll("th").forEach(function (h) { delete h.dataset.asc; });
    th.dataset.asc = asc ? "1" : "0";
    function key(row) {
      var c = row.cells[col], v = c.dataset.v !== undefined ? c.dataset.v : c.textContent;
      var n = parseFloat(v);
      return isNaN(n) ? v.toLowerCase() : n;
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0)
                                      : (typeof x === "number" ? -1 : 1);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""


def errors_cell(r):
    """The first errors, and how many more there are and where they are all listed, so a
    cut list is not read as the whole story."""
    e = html.escape
    lines = [e(x) for x in r["errors"][:ERRORS_SHOWN]]
    more = len(r["errors"]) - ERRORS_SHOWN
    if more > 0:
        lines.append(f'... and {more} more in <a href="{e(r["log"])}">{e(r["log"])}</a>')
    return "<br>".join(lines)


def write_html(out, meta, results, chart):
    e = html.escape
    ref = reference(meta.get("thru_ref"))
    head = ["#", "name", "score", "status", "util %", f"thru / {ref}", "globals B", "findings",
            "errors"]
    rows = []
    for i, r in standings(results):
        cells = [(i, str(i)), (r["name"], e(r["name"])), (r["score"], f"{r['score']:.2f}"),
                 (r["status"], e(r["status"])),
                 (pct(r["util"]) if r["util"] is not None else -1, fmt(pct(r["util"]), ".1f")),
                 (r["thru_ratio"] if r["thru_ratio"] is not None else -1,
                  fmt(r["thru_ratio"], ".3f")),
                 (r.get("globals_bytes") if r.get("globals_bytes") is not None else -1,
                  str(r.get("globals_bytes") if r.get("globals_bytes") is not None else "")),
                 (len(r["findings"]), "<br>".join(e(f["message"]) for f in r["findings"])),
                 (len(r["errors"]), errors_cell(r))]
        rows.append("<tr>" + "".join(f'<td data-v="{e(str(v))}">{t}</td>' for v, t in cells)
                    + "</tr>")
    img = f'<p><img src="{chart}" alt="perf index and utilization chart"></p>' if chart else ""
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>mmlab leaderboard</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #bbb; padding: 0.25em 0.6em; vertical-align: top; }}
th {{ background: #eee; cursor: pointer; }}
td:nth-child(8), td:nth-child(9) {{ font-size: 0.85em; max-width: 40em; }}
</style></head><body>
<h1>mmlab leaderboard</h1>
<p>{len(results)} submission(s), graded {e(str(meta.get('date', '')))};
traces: {e(', '.join(meta.get('traces', [])))}; utilization weight {meta.get('util_weight')};
throughput relative to {e(reference_timed(meta.get("thru_ref")))}. Click a column heading to
sort.</p>
{img}
<table><thead><tr>{''.join(f'<th>{e(h)}</th>' for h in head)}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<script>{SORT_JS}</script>
</body></html>
"""
    with open(os.path.join(out, "leaderboard.html"), "w") as f:
        f.write(page)


def write_all(out, meta, results):
    results = ranked(results)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"grader": meta, "submissions": results}, f, indent=1)
    write_csv(os.path.join(out, "results.csv"), results)
    os.makedirs(os.path.join(out, "autolab"), exist_ok=True)
    for r in results:
        with open(os.path.join(out, "autolab", r["name"] + ".json"), "w") as f:
            f.write(autolab_line(r) + "\n")
    write_html(out, meta, results, write_chart(out, results))
