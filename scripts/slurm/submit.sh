#!/usr/bin/env bash
# Submit a linli sweep to Slurm: an array job of SHARDS shards, then a merge job that waits for it.
#
#   scripts/slurm/submit.sh SCENARIO.toml RUN_DIR SHARDS [extra sbatch args...]
#
# The extra sbatch arguments (e.g. --partition=long --account=abc --cpus-per-task=16) are given
# to both jobs. Job logs go to RUN_DIR/logs/. LINLI_BIN (default: linli on PATH) is passed on to
# the jobs through the environment. Prints the array job ID and then, on the last line, the
# merge job ID (progress goes to stderr), so scripts can do:
#   merge_job="$(scripts/slurm/submit.sh sweep.toml runs/s1 8 | tail -n 1)"
# The run folder must be on a file system that every compute node sees.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 3 ]]; then
  echo "usage: submit.sh SCENARIO.toml RUN_DIR SHARDS [extra sbatch args...]" >&2
  exit 2
fi
scenario="$1" run_dir="$2" shards="$3"
shift 3
[[ -f $scenario ]] || { echo "submit.sh: no scenario file $scenario" >&2; exit 2; }
[[ $shards =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: SHARDS must be a positive integer, got '$shards'" >&2; exit 2; }

# Absolute paths, so the jobs do not depend on the folder they start in.
mkdir -p "$run_dir/logs"
run_dir="$(cd "$run_dir" && pwd)"
scenario="$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")"
export LINLI_SCENARIO="$scenario" LINLI_RUN_DIR="$run_dir" LINLI_SHARDS="$shards"
export LINLI_BIN="${LINLI_BIN:-linli}"

# --parsable prints "JOBID" or "JOBID;CLUSTER".
array_job="$(sbatch --parsable --array="1-$shards" --output="$run_dir/logs/slurm-%A_%a.out" \
  "$@" "$here/sweep-array.sbatch")"
array_job="${array_job%%;*}"
echo "submit.sh: array job $array_job (shards 1-$shards of $scenario into $run_dir)" >&2

# afterok on an array job waits for all its tasks; if any fails the merge job is cancelled
# instead of staying pending forever.
merge_job="$(sbatch --parsable --dependency="afterok:$array_job" --kill-on-invalid-dep=yes \
  --output="$run_dir/logs/slurm-%j.out" "$@" "$here/merge.sbatch")"
merge_job="${merge_job%%;*}"
echo "submit.sh: merge job $merge_job (after $array_job, into $run_dir/merged)" >&2

echo "$array_job"
echo "$merge_job"
