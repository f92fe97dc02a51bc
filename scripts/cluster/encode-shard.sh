#!/usr/bin/env bash
# One shard of a sharded encode, the command every cluster task runs (the Slurm array of
# slurm-encode.sh and the Kubernetes Indexed Job of k8s-encode.yaml):
#
#   encode-shard.sh INPUT PARTS_DIR I N [nervc encode options...]
#
# writes PARTS_DIR/part-IIIII.nerv, chains of shard I of N (nervc encode --shard I/N). A task
# that is stopped and started again (preemption, requeue, a pod rescheduled) continues where it
# stopped (--resume). Env: NERVC (the nervc binary; default: nervc in PATH), NERVC_THREADS
# (default: the CPUs Slurm gave the task, else nervc's default).
#
# Every shard must run with the same options and thread count (CPU float sums depend on it);
# the joined stream then equals a single-process `nervc encode INPUT` with those options.
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: encode-shard.sh INPUT PARTS_DIR I N [nervc encode options...]" >&2
  exit 2
fi
input=$1 parts=$2 i=$3 n=$4
shift 4
threads=${NERVC_THREADS:-${SLURM_CPUS_PER_TASK:-}}
mkdir -p "$parts"
exec "${NERVC:-nervc}" encode "$input" --shard "$i/$n" -o "$(printf '%s/part-%05d.nerv' "$parts" "$i")" \
  --resume -q ${threads:+--threads "$threads"} "$@"
