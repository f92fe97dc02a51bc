#!/usr/bin/env bash
# A real single-node Slurm (slurmctld and slurmd on localhost, munge for authentication, all in
# a scratch folder and on free ports, no cgroup plugins), started and stopped here: the array of
# scripts/cluster/slurm-encode.sh encodes a tiny clip as 3 shards, its concat job joins them,
# and the result must equal a single-process encode byte for byte.
#   slurm.sh NERVC DATA_DIR
# Needs root (slurmd starts the jobs) and Debian's slurmctld, slurmd, slurm-client and munge
# (scripts/setup-deps.sh installs them); without them it reports a skip (exit 77).
set -euo pipefail
nervc=$(realpath "$1") data=$(realpath "$2")
repo=$(cd "$(dirname "$0")/../.." && pwd)
for b in slurmctld slurmd sbatch munged; do
  command -v $b >/dev/null || { echo "SKIP: $b missing (scripts/setup-deps.sh installs it)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: a local slurmd needs root"; exit 77; }

dir=$(mktemp -d /tmp/nervc-slurm.XXXXXX)
chmod 700 "$dir"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$dir"/*.log "$dir"/out.nerv.parts/*.log; do
    [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }
  done
  exit 1
}

# Two free TCP ports.
read -r port1 port2 < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

# munge: a key of its own and a socket in the scratch folder.
mkdir -m 700 "$dir/munge"
dd if=/dev/urandom of="$dir/munge/key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/key"
munged --force --key-file="$dir/munge/key" --socket="$dir/munge/socket" \
  --pid-file="$dir/munge/pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed" ||
  fail "munged did not start"
pids+=("$(cat "$dir/munge/pid")")

mkdir -p "$dir/state" "$dir/spool"
cat >"$dir/slurm.conf" <<CONF
ClusterName=nervctest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port1
SlurmdPort=$port2
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1024 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -D -i >>"$dir/slurmctld.log" 2>&1 &
pids+=($!)
slurmd -D -N localhost >>"$dir/slurmd.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
  sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
  sleep 1
done
sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)' || fail "the node did not come up"

# The tiny clip in segments of one frame, intra every second: 3 chains, one per shard.
opts=(--config "$data/tiny_grid_config.json" --segment-frames 1 --intra-period 2 --seed 5)
NERVC=$nervc WAIT=1 timeout 600 bash "$repo/scripts/cluster/slurm-encode.sh" \
  "$data/foreman_64x64_6f.y4m" "$dir/out.nerv" 3 "${opts[@]}" >"$dir/jobs.txt" ||
  fail "the Slurm jobs did not succeed"
for i in 0 1 2; do
  [ -f "$(printf '%s/out.nerv.parts/part-%05d.nerv' "$dir" "$i")" ] || fail "part $i missing"
done
"$nervc" encode "$data/foreman_64x64_6f.y4m" -o "$dir/single.nerv" -q --threads 1 "${opts[@]}"
cmp "$dir/out.nerv" "$dir/single.nerv" || fail "the joined stream differs from a single-process encode"
echo "PASS: Slurm array of 3 shards + concat job = single-process encode ($(stat -c %s "$dir/out.nerv") bytes; jobs $(cat "$dir/jobs.txt"))"
