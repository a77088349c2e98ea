#!/usr/bin/env bash
# CI test: run a linli sweep as a Slurm array job on a private one-node cluster, merge it, and
# check that the merged files equal a single-machine run byte for byte.
#
#   scripts/slurm/ci/test-sweep.sh LINLI_BIN SCENARIO.toml SHARDS
#
# Starts the cluster (cluster.sh) in a scratch folder and always stops it on exit; submits with
# submit.sh; waits for the merge job (JOB_TIMEOUT seconds, default 300); checks that every array
# task completed under slurmd and that the merge job started after the last of them; runs
# "LINLI_BIN sweep SCENARIO --out single"; compares each top-level file of the single-machine
# output with the merged one (cmp). Prints one PASS/FAIL line; exits nonzero on failure.
# Set KEEP_TMP=1 to keep the scratch folder. Needs root (see cluster.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -ne 3 ]]; then
  echo "usage: test-sweep.sh LINLI_BIN SCENARIO.toml SHARDS" >&2
  exit 2
fi
bin="$1" scenario="$2" shards="$3"
if [[ $bin != */* ]]; then bin="$(command -v "$bin")" || { echo "test-sweep.sh: $1 not found" >&2; exit 2; }; fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[[ -x $bin ]] || { echo "test-sweep.sh: $bin is not executable" >&2; exit 2; }
[[ -f $scenario ]] || { echo "test-sweep.sh: no scenario $scenario" >&2; exit 2; }
scenario="$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")"

tmp="$(mktemp -d /tmp/linli-slurm-test.XXXXXX)"
cluster="$tmp/cluster" run="$tmp/run" single="$tmp/single"
result=FAIL reason="did not finish"
t_start=$SECONDS

print_logs() {
  local f
  for f in "$run"/logs/*.out "$cluster/log/slurmctld.log" "$cluster/log/slurmd.log"; do
    [[ -f $f ]] || continue
    echo "----- $f (last 30 lines) -----" >&2
    tail -n 30 "$f" >&2
  done
}

finish() {
  local rc=$?
  [[ $result == PASS ]] || print_logs
  "$here/cluster.sh" stop "$cluster" || { result=FAIL reason="could not stop the cluster"; }
  if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "test-sweep.sh: kept $tmp" >&2; else rm -rf "$tmp"; fi
  if [[ $result == PASS ]]; then
    echo "slurm sweep test: PASS ($reason, $((SECONDS - t_start))s)"
    exit 0
  fi
  echo "slurm sweep test: FAIL ($reason)"
  exit $(( rc == 0 ? 1 : rc ))
}
trap finish EXIT
fail() { reason="$*"; exit 1; }

# Job field from a "scontrol show job -o" line.
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -n 1; }

t0=$SECONDS
env_line="$("$here/cluster.sh" start "$cluster")" || fail "cluster did not start"
eval "$env_line"   # export SLURM_CONF=...
t_cluster=$((SECONDS - t0))

t0=$SECONDS
ids="$(LINLI_BIN="$bin" "$here/../submit.sh" "$scenario" "$run" "$shards")" || fail "submission failed"
array_job="$(head -n 1 <<<"$ids")" merge_job="$(tail -n 1 <<<"$ids")"

# Wait for the merge job (accounting is off, so ask slurmctld, which keeps finished jobs for
# MinJobAge seconds).
deadline=$((SECONDS + ${JOB_TIMEOUT:-300})) state=""
while :; do
  line="$(scontrol -o show job "$merge_job" 2>/dev/null)" || line=""
  state="$(field "$line" JobState)"
  case "$state" in
    COMPLETED) break ;;
    PENDING | CONFIGURING | RUNNING | COMPLETING | "") ;;
    *) fail "merge job $merge_job ended $state ($(field "$line" Reason))" ;;
  esac
  [[ $(field "$line" Reason) == DependencyNeverSatisfied ]] && fail "merge job $merge_job can never run: a shard failed"
  (( SECONDS < deadline )) || fail "merge job $merge_job still $state after ${JOB_TIMEOUT:-300}s"
  sleep 1
done
t_jobs=$((SECONDS - t0))

# Every array task ran to completion on the node, and the merge job started after the last one.
tasks="$(scontrol -o show job "$array_job")" || fail "array job $array_job unknown to slurmctld"
last_end=0 done_tasks=0
while read -r line; do
  [[ -n $line ]] || continue
  task="$(field "$line" ArrayTaskId)"
  [[ $(field "$line" JobState) == COMPLETED ]] || fail "array task ${array_job}_$task is $(field "$line" JobState)"
  [[ $(field "$line" BatchHost) == localhost ]] || fail "array task ${array_job}_$task ran on '$(field "$line" BatchHost)'"
  [[ -s $run/logs/slurm-${array_job}_${task}.out ]] || fail "array task ${array_job}_$task left no log"
  end="$(date -d "$(field "$line" EndTime)" +%s)"
  (( end > last_end )) && last_end=$end
  done_tasks=$((done_tasks + 1))
done <<<"$tasks"
(( done_tasks == shards )) || fail "$done_tasks array tasks completed, expected $shards"
line="$(scontrol -o show job "$merge_job")"
merge_start="$(date -d "$(field "$line" StartTime)" +%s)"
(( merge_start >= last_end )) || fail "merge job started before the last shard ended"
echo "test-sweep.sh: $done_tasks array tasks of job $array_job completed on localhost; merge job $merge_job started $((merge_start - last_end))s after the last" >&2

# The single-machine run, then the comparison of every top-level file it wrote.
t0=$SECONDS
"$bin" sweep "$scenario" --out "$single" || fail "single-machine sweep failed"
t_single=$((SECONDS - t0))
[[ -d $run/merged ]] || fail "no merged folder $run/merged"
compared=() differ=()
while IFS= read -r -d '' f; do
  name="${f##*/}"
  compared+=("$name")
  cmp -s "$f" "$run/merged/$name" || differ+=("$name")
done < <(find "$single" -mindepth 1 -maxdepth 1 -type f -print0 | sort -z)
(( ${#compared[@]} > 0 )) || fail "the single-machine run wrote no files to compare"
echo "test-sweep.sh: compared ${#compared[@]} files: ${compared[*]}" >&2
for name in "${differ[@]}"; do
  if [[ -f $run/merged/$name ]]; then
    echo "----- $name differs -----" >&2
    cmp "$single/$name" "$run/merged/$name" >&2 || true
  else
    echo "----- $name missing from the merged output -----" >&2
  fi
done
(( ${#differ[@]} == 0 )) || fail "${#differ[@]} of ${#compared[@]} files differ: ${differ[*]}"

result=PASS
reason="$shards shards, ${#compared[@]} files identical; cluster ${t_cluster}s, jobs ${t_jobs}s, single ${t_single}s"
