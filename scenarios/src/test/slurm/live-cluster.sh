#!/usr/bin/env bash
# Starts a throwaway single-node Slurm from the distribution's packages (munged, slurmctld, slurmd),
# configured entirely under a temporary directory: its own slurm.conf, state and spool directories,
# munge key and socket, and free ports on 127.0.0.1. Nothing outside that directory is written. It
# submits SCENARIO with scripts/slurm-array as an N-task array plus its merge job, waits for the merge
# job with a deadline, and tears the cluster down (jobs cancelled, daemons killed by their pids,
# directory removed) whatever happened.
#
#   live-cluster.sh SCENARIO.yaml RUN_DIR N DEADLINE_SECONDS
#
# Exit 0 when the merge job completed, 1 otherwise (with the reason, job states and log tails on
# stderr), 3 when this machine cannot host the cluster (no Slurm or munge binaries, not root).
# Extra environment: TIERLAB_LAUNCHER (passed on to slurm-array).
set -euo pipefail

if [ $# -ne 4 ]; then
    echo "usage: live-cluster.sh SCENARIO.yaml RUN_DIR N DEADLINE_SECONDS" >&2
    exit 2
fi
scenario=$1; run=$2; shards=$3; deadline_s=$4
root="$(cd "$(dirname "$0")/../../../.." && pwd)"

say() { echo "live-cluster: $*" >&2; }

for bin in munged slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
    if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$bin" ]; then
        say "cannot host a cluster: '$bin' not found (apt-get install slurmctld slurmd slurm-client munge)"
        exit 3
    fi
done
export PATH="$PATH:/usr/sbin"
if [ "$(id -u)" -ne 0 ]; then
    say "cannot host a cluster: slurmd must run as root to start jobs (running as $(id -un))"
    exit 3
fi

# munged wants every directory above its socket searchable by all, and its key readable by its owner
# only: a 0711 work directory under /tmp (short, for the socket path's 108-byte limit) and a 0700 key dir.
work=$(mktemp -d /tmp/tierlab-slurm.XXXXXX)
chmod 711 "$work"
mkdir -m 700 "$work/key" "$work/log"
mkdir -m 711 "$work/munge"
mkdir -m 755 "$work/ctld" "$work/slurmd"
pids=()

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -f "$work/slurm.conf" ] && [ -n "${SLURM_CONF:-}" ]; then
        # Only this cluster's jobs: SLURM_CONF points at it.
        scancel --quiet --user="$(id -un)" 2>/dev/null || true
        for _ in $(seq 1 20); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.5
        done
    fi
    unset SLURM_CONF  # what this shell starts from here on is not the cluster's
    local p
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        for _ in $(seq 1 20); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$p" 2>/dev/null || true
    done
    # Job steps (slurmstepd) and job processes outlive slurmd: they are this cluster's when they carry
    # its SLURM_CONF, which slurmd and sbatch hand down to everything they start.
    local left=()
    for _ in $(seq 1 20); do
        left=()
        for p in /proc/[0-9]*; do
            grep -qzxF "SLURM_CONF=$work/slurm.conf" "$p/environ" 2>/dev/null && left+=("${p#/proc/}")
        done
        [ ${#left[@]} -eq 0 ] && break
        sleep 0.5
    done
    for p in "${left[@]}"; do
        [ "$p" = "$$" ] || kill -KILL "$p" 2>/dev/null || true
    done
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' INT TERM

fail() {
    say "$*"
    if [ -n "${array:-}" ]; then
        scontrol show job "$array" 2>/dev/null | grep -E 'JobId=|JobState=' | sed 's/^/  /' >&2 || true
    fi
    if [ -n "${merge:-}" ]; then
        scontrol show job "$merge" 2>/dev/null | grep -E 'JobId=|JobState=' | sed 's/^/  /' >&2 || true
    fi
    local f
    for f in "$work"/log/*.log "$run"/*.log; do
        [ -f "$f" ] || continue
        echo "--- tail of $f" >&2
        tail -n 25 "$f" >&2
    done
    exit 1
}

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        # A connect that fails means nothing listens there.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    fail "no free port found on 127.0.0.1"
}

dd if=/dev/urandom of="$work/key/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/key/munge.key"
socket="$work/munge/munge.socket"
munged --foreground --key-file="$work/key/munge.key" --socket="$socket" --pid-file="$work/munge/munged.pid" \
    --log-file="$work/log/munged.log" --seed-file="$work/key/munged.seed" >"$work/log/munged.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 40); do
    [ -S "$socket" ] && break
    sleep 0.25
done
[ -S "$socket" ] || fail "munged did not create its socket"

host=$(uname -n | cut -d. -f1)
user=$(id -un)
ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
# The node: 2 CPUs (each array task asks for 1), memory below what the machine has.
cpus=2
mem_total_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
real_mb=$((mem_total_mb / 2))
[ "$(nproc)" -ge "$cpus" ] || cpus=$(nproc)
cat >"$work/slurm.conf" <<EOF
ClusterName=tierlabtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/slurmd
SlurmctldPidFile=$work/ctld/slurmctld.pid
SlurmdPidFile=$work/slurmd/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mb State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"

slurmctld -D -i -f "$SLURM_CONF" >"$work/log/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -N "$host" -f "$SLURM_CONF" >"$work/log/slurmd.out.log" 2>&1 &
pids+=($!)

# The node is up when the controller reports it idle.
up=0
for _ in $(seq 1 120); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    case "$state" in idle*) up=1; break ;; esac
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || fail "a daemon (pid $p) exited while starting"; done
    sleep 0.5
done
[ "$up" = 1 ] || fail "the node did not come up idle within 60 s (state: ${state:-none})"
say "cluster up: slurmctld :$ctld_port, slurmd :$slurmd_port, node $host ($cpus CPUs, ${real_mb} MB) in $work"

started=$(date +%s)
submitted=$("$root/scripts/slurm-array" "$scenario" "$run" "$shards" --cpus-per-task=1) || fail "slurm-array failed"
echo "$submitted" >&2
say "submitted in $(($(date +%s) - started)) s"
started=$(date +%s)
array=$(sed -n 's/.*submitted array \([0-9]*\).*/\1/p' <<<"$submitted")
merge=$(sed -n 's/.* and merge \([0-9]*\).*/\1/p' <<<"$submitted")
[ -n "$array" ] && [ -n "$merge" ] || fail "could not read the job ids from slurm-array's output"

while :; do
    merge_state=$(scontrol show job "$merge" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n1)
    reason=$(scontrol show job "$merge" 2>/dev/null | sed -n 's/.*Reason=\([A-Za-z_]*\).*/\1/p' | head -n1)
    case "$merge_state" in
        COMPLETED) break ;;
        CANCELLED) [ "$reason" = DependencyNeverSatisfied ] && fail "a shard failed, so the merge job was cancelled (shard logs below)"
            fail "the merge job was cancelled" ;;
        FAILED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED)
            fail "the merge job ended $merge_state" ;;
    esac
    [ "$reason" = DependencyNeverSatisfied ] && fail "a shard failed, so the merge job can never start (DependencyNeverSatisfied)"
    [ $(($(date +%s) - started)) -lt "$deadline_s" ] || fail "deadline: the jobs did not finish within $deadline_s s (merge job ${merge_state:-unknown})"
    sleep 1
done
say "array $array and merge $merge completed in $(($(date +%s) - started)) s"
