#!/usr/bin/env bash
# CI test: run a linli calibration as one Slurm job of SHARDS tasks on a private one-node
# cluster, and check that its outputs equal a single-machine calibration byte for byte.
#
#   scripts/slurm/ci/test-calibration.sh LINLI_BIN CALIBRATION.toml SHARDS
#
# Starts the cluster (cluster.sh) in a scratch folder and always stops it on exit; submits
# calibrate.sbatch with --ntasks=SHARDS --cpus-per-task=1; waits for the job (JOB_TIMEOUT
# seconds, default 300); checks that every shard's line is in the job's log; runs "LINLI_BIN
# calibrate CALIBRATION.toml --out single"; compares every output file (cmp). Prints one
# PASS/FAIL line; exits nonzero on failure. Set KEEP_TMP=1 to keep the scratch folder. Needs
# root (see cluster.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -ne 3 ]]; then
  echo "usage: test-calibration.sh LINLI_BIN CALIBRATION.toml SHARDS" >&2
  exit 2
fi
bin="$1" scenario="$2" shards="$3"
if [[ $bin != */* ]]; then bin="$(command -v "$bin")" || { echo "test-calibration.sh: $1 not found" >&2; exit 2; }; fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[[ -x $bin ]] || { echo "test-calibration.sh: $bin is not executable" >&2; exit 2; }
[[ -f $scenario ]] || { echo "test-calibration.sh: no scenario $scenario" >&2; exit 2; }
scenario="$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")"
[[ $shards =~ ^[0-9]+$ ]] && (( shards >= 2 )) || { echo "test-calibration.sh: SHARDS must be 2 or more" >&2; exit 2; }

tmp="$(mktemp -d /tmp/linli-slurm-calibration.XXXXXX)"
cluster="$tmp/cluster" run="$tmp/run" single="$tmp/single"
result=FAIL reason="did not finish"
t_start=$SECONDS

finish() {
  local rc=$?
  if [[ $result != PASS ]]; then
    for f in "$run"/slurm-*.out "$cluster/log/slurmctld.log" "$cluster/log/slurmd.log"; do
      [[ -f $f ]] && { echo "----- $f (last 30 lines) -----" >&2; tail -n 30 "$f" >&2; }
    done
  fi
  "$here/cluster.sh" stop "$cluster" || { result=FAIL reason="could not stop the cluster"; }
  if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "test-calibration.sh: kept $tmp" >&2; else rm -rf "$tmp"; fi
  if [[ $result == PASS ]]; then
    echo "slurm calibration test: PASS ($reason, $((SECONDS - t_start))s)"
    exit 0
  fi
  echo "slurm calibration test: FAIL ($reason)"
  exit $(( rc == 0 ? 1 : rc ))
}
trap finish EXIT
fail() { reason="$*"; exit 1; }
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | head -n 1; }

env_line="$("$here/cluster.sh" start "$cluster")" || fail "cluster did not start"
eval "$env_line"   # export SLURM_CONF=...

mkdir -p "$run"
job="$(LINLI_BIN="$bin" sbatch --parsable --ntasks="$shards" --cpus-per-task=1 --chdir="$run" \
  --output="$run/slurm-%j.out" "$here/../calibrate.sbatch" "$scenario" "$run/calibration")" || fail "submission failed"
job="${job%%;*}"

deadline=$((SECONDS + ${JOB_TIMEOUT:-300})) state=""
while :; do
  line="$(scontrol -o show job "$job" 2>/dev/null)" || line=""
  state="$(field "$line" JobState)"
  case "$state" in
    COMPLETED) break ;;
    PENDING | CONFIGURING | RUNNING | COMPLETING | "") ;;
    *) fail "job $job ended $state ($(field "$line" Reason))" ;;
  esac
  (( SECONDS < deadline )) || fail "job $job still $state after ${JOB_TIMEOUT:-300}s"
  sleep 1
done
log="$run/slurm-$job.out"
for (( k = 1; k <= shards; k++ )); do
  grep -q "shard $k/$shards" "$log" || fail "shard $k/$shards left no line in $log"
done

"$bin" calibrate "$scenario" --out "$single" >/dev/null 2>&1 || fail "single-machine calibration failed"
compared=() differ=()
while IFS= read -r -d '' f; do
  name="${f##*/}"
  compared+=("$name")
  cmp -s "$f" "$run/calibration/$name" || differ+=("$name")
done < <(find "$single" -mindepth 1 -maxdepth 1 -type f -print0 | sort -z)
(( ${#compared[@]} > 0 )) || fail "the single-machine run wrote no files to compare"
(( ${#differ[@]} == 0 )) || fail "${#differ[@]} of ${#compared[@]} files differ: ${differ[*]}"

result=PASS
reason="$shards shards in one job, ${#compared[@]} files identical"
