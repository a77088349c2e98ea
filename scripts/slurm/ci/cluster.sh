#!/usr/bin/env bash
# Start or stop a private single-node Slurm cluster (munged, slurmctld, slurmd) on localhost for CI.
#
#   cluster.sh start DIR   make DIR, write slurm.conf/cgroup.conf and a munge key into it, start
#                          munged, slurmctld and "slurmd -N localhost", wait until the node is idle,
#                          then print "export SLURM_CONF=DIR/slurm.conf" on stdout (progress goes
#                          to stderr), so callers can run: eval "$(cluster.sh start DIR)"
#   cluster.sh stop DIR    cancel the cluster's jobs, then stop exactly the daemons that
#                          "start" recorded in DIR/run/daemons (by PID, never by name).
#
# Needs root and the Debian packages slurmctld, slurmd, slurm-client and munge (Slurm 22.05).
# Environment: CLUSTER_START_TIMEOUT (seconds to wait for an idle node, default 60),
# SLURMCTLD_PORT / SLURMD_PORT (default 6817 / 6818).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "cluster.sh: $*" >&2; exit 1; }
say() { echo "cluster.sh: $*" >&2; }

[[ $# -eq 2 && ( $1 == start || $1 == stop ) ]] || die "usage: cluster.sh start|stop DIR"
action="$1"
[[ $action == stop ]] || mkdir -p "$2"
[[ -d $2 ]] || { say "no folder $2, nothing to stop"; exit 0; }
dir="$(cd "$2" && pwd)"
daemons="$dir/run/daemons"   # one "name pid" line per daemon started, in start order

# True while PID runs as the named program (a zombie or a reused PID does not count).
alive() {
  local pid="$1" name="$2" comm state
  comm="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  [[ $comm == "$name" ]] || return 1
  state="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ $state != Z ]]
}

# Wait until a daemon has written its pid file and that PID is running; print the PID.
pid_from_file() {
  local file="$1" name="$2" pid
  for _ in $(seq 100); do
    if [[ -s $file ]]; then
      pid="$(tr -dc 0-9 <"$file")"
      if [[ -n $pid ]]; then
        if alive "$pid" "$name"; then echo "$pid"; return 0; fi
        return 1  # wrote its pid file, then died (pid files are removed before each start)
      fi
    fi
    sleep 0.1
  done
  return 1
}

show_logs() {
  local f
  for f in "$dir/munge/munged.log" "$dir/log/slurmctld.log" "$dir/log/slurmd.log"; do
    [[ -f $f ]] || continue
    echo "----- $f (last 40 lines) -----" >&2
    tail -n 40 "$f" >&2
  done
}

stop_cluster() {
  [[ -f $daemons ]] || { say "nothing recorded in $daemons, nothing to stop"; return 0; }
  export SLURM_CONF="$dir/slurm.conf"
  # Cancel whatever is still queued or running in this cluster, so that no slurmstepd or job
  # process outlives slurmd (only while our slurmctld answers; best effort).
  local jobs="" name pid
  while read -r name pid; do
    if [[ $name == slurmctld ]] && alive "$pid" "$name"; then
      jobs="$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')" || true
    fi
  done <"$daemons"
  if [[ -n ${jobs// /} ]]; then
    say "cancelling jobs: $jobs"
    # shellcheck disable=SC2086
    timeout 10 scancel $jobs 2>/dev/null || true
    for _ in $(seq 20); do
      [[ -z "$(timeout 5 squeue -h -o %A 2>/dev/null)" ]] && break
      sleep 0.5
    done
  fi
  # Stop in reverse start order: slurmd, slurmctld, then munged.
  while read -r name pid; do
    if ! alive "$pid" "$name"; then say "$name ($pid) already gone"; continue; fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do alive "$pid" "$name" || break; sleep 0.1; done
    if alive "$pid" "$name"; then
      say "$name ($pid) ignored SIGTERM for 15 s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 50); do alive "$pid" "$name" || break; sleep 0.1; done
    fi
    if alive "$pid" "$name"; then say "$name ($pid) still running"; return 1; fi
    say "stopped $name ($pid)"
  done < <(tac "$daemons")
  rm -f "$daemons"
}

start_cluster() {
  local cmd
  [[ $(id -u) -eq 0 ]] || die "must run as root (slurmd and SlurmUser=root)"
  for cmd in munged munge unmunge slurmctld slurmd sinfo scontrol; do
    command -v "$cmd" >/dev/null || die "$cmd not found: apt-get install slurmctld slurmd slurm-client munge"
  done
  if [[ -f $daemons ]]; then
    local name pid
    while read -r name pid; do
      if alive "$pid" "$name"; then die "$name ($pid) from an earlier start is still running: cluster.sh stop $dir"; fi
    done <"$daemons"
    rm -f "$daemons"
  fi

  local t0=$SECONDS
  mkdir -p "$dir"/{munge,state,spool/slurmd,run,log}
  # munged wants the folders of its key and socket writable by root only (and warns unless the
  # socket folder is searchable by all, which non-root clients would need).
  chmod 755 "$dir" "$dir/munge" "$dir/spool" "$dir/spool/slurmd"

  # The CPUs slurmd itself detects, so the node registers with a matching configuration.
  local cpus
  cpus="$(env -u SLURM_CONF slurmd -C 2>/dev/null | sed -n 's/.*CPUs=\([0-9][0-9]*\).*/\1/p' | head -n 1)" || true
  [[ -n $cpus ]] || cpus="$(nproc)"
  local f
  for f in slurm.conf cgroup.conf; do
    sed -e "s|@DIR@|$dir|g" -e "s|@CPUS@|$cpus|g" \
        -e "s|@CTLD_PORT@|${SLURMCTLD_PORT:-6817}|g" -e "s|@SLURMD_PORT@|${SLURMD_PORT:-6818}|g" \
        "$here/$f.in" >"$dir/$f"
  done
  export SLURM_CONF="$dir/slurm.conf"

  # A munge key of our own (readable by root only, or munged refuses it).
  local key="$dir/munge/munge.key" sock="$dir/munge/munge.socket.2"
  if [[ ! -s $key ]]; then
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile="$key"
    else
      dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
    fi
  fi
  chmod 400 "$key"

  rm -f "$dir/munge/munged.pid" "$dir/run/slurmctld.pid" "$dir/run/slurmd.pid"
  : >"$daemons"
  # --force: run as root and take over a socket left by an earlier, killed munged.
  munged --force --socket="$sock" --key-file="$key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
    || { show_logs; die "munged failed to start"; }
  local pid
  pid="$(pid_from_file "$dir/munge/munged.pid" munged)" || { show_logs; die "munged did not write its pid file"; }
  echo "munged $pid" >>"$daemons"
  munge -n -S "$sock" | unmunge -S "$sock" >/dev/null || { show_logs; stop_cluster || true; die "munge credential round trip failed"; }

  # Both daemons fork into the background and write the pid files named in slurm.conf.
  slurmctld || { show_logs; stop_cluster || true; die "slurmctld failed to start"; }
  pid="$(pid_from_file "$dir/run/slurmctld.pid" slurmctld)" || { show_logs; stop_cluster || true; die "slurmctld did not start"; }
  echo "slurmctld $pid" >>"$daemons"
  slurmd -N localhost || { show_logs; stop_cluster || true; die "slurmd failed to start"; }
  pid="$(pid_from_file "$dir/run/slurmd.pid" slurmd)" || { show_logs; stop_cluster || true; die "slurmd did not start"; }
  echo "slurmd $pid" >>"$daemons"

  local timeout="${CLUSTER_START_TIMEOUT:-60}" state=""
  while (( SECONDS - t0 < timeout )); do
    state="$(timeout 5 sinfo -h -n localhost -o %T 2>/dev/null)" || state=""
    [[ $state == idle ]] && break
    sleep 0.5
  done
  if [[ $state != idle ]]; then
    say "node localhost not idle after ${timeout}s (state: '${state:-no answer}')"
    show_logs
    stop_cluster || true
    die "cluster did not come up"
  fi
  say "cluster up in $((SECONDS - t0))s with $cpus CPUs: $(tr '\n' ' ' <"$daemons")"
  echo "export SLURM_CONF=$dir/slurm.conf"
}

case "$action" in
  start) start_cluster ;;
  stop) stop_cluster ;;
esac
