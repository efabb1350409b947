#!/usr/bin/env bash
# tools/grade-slurm.sh: grades a class as a Slurm array job, one submission per array task,
# each task writing its own results.json that `tools/grade --merge` combines at the end.
#
#   ls -d /class/handin/* > subs.txt                     # one NAME.c or NAME/ per line
#   sbatch --array=1-$(wc -l < subs.txt)%50 tools/grade-slurm.sh subs.txt TRACES OUT [grade options]
#   # when every task is done:
#   tools/grade --merge -o OUT/all OUT/parts/*/results.json
#
# Task N grades line N of the list into OUT/parts/NAME/ with -j 1 (one core per task; the
# #SBATCH lines ask for that). The repository must be visible at the same path on every node
# (a shared file system), and bubblewrap installed there for the full sandbox (otherwise each
# result says it ran with rlimits only). OUT/parts/*/logs keep each task's logs. Run sbatch in
# the repository's folder: sbatch runs a copy of this script, from which tools/grade is found
# through that folder (SLURM_SUBMIT_DIR).
#SBATCH --job-name=mmlab-grade
#SBATCH --cpus-per-task=1
#SBATCH --mem=6G
#SBATCH --time=00:30:00
#SBATCH --output=mmlab-grade-%A_%a.out
set -euo pipefail

usage="usage: sbatch --array=1-N tools/grade-slurm.sh LIST TRACES OUT [tools/grade options]"
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
    echo "$usage"
    exit 0
fi
if [ $# -lt 3 ]; then
    echo "$usage" >&2
    exit 2
fi
list=$1 traces=$2 out=$3
shift 3
task=${SLURM_ARRAY_TASK_ID:?not running as a Slurm array task (use sbatch --array)}

sub=$(sed -n "${task}p" "$list")
if [ -z "$sub" ]; then
    echo "tools/grade-slurm.sh: $list has no line $task" >&2
    exit 2
fi
name=$(basename "${sub%/}" .c)
for tools in "$(dirname "$0")" "${SLURM_SUBMIT_DIR:-.}/tools"; do
    if [ -x "$tools/grade" ]; then
        exec "$tools/grade" -q -j 1 -t "$traces" -o "$out/parts/$name" "$@" "$sub"
    fi
done
echo "tools/grade-slurm.sh: no tools/grade beside this script or in ${SLURM_SUBMIT_DIR:-.}/tools:" \
     "run sbatch in the repository's folder" >&2
exit 2
