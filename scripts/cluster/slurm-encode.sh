#!/usr/bin/env bash
# Encodes INPUT on a Slurm cluster as N shards (a job array, one task per shard) and joins them
# into OUTPUT with a job that starts once every shard has succeeded (--dependency=afterok):
#
#   scripts/cluster/slurm-encode.sh INPUT OUTPUT [N] [nervc encode options...]
#
# INPUT, OUTPUT and this checkout must be on a filesystem every node sees; the parts go to
# OUTPUT.parts/ (kept: delete them once OUTPUT is there). N (default 4) may not exceed the
# input's chains (intra periods). Prints the two job ids.
#
# Env: NERVC (nervc on the nodes; default: nervc in PATH), CPUS_PER_TASK (default 1: the
#      thread count of every shard), GPUS_PER_TASK (default 0; K: --gres=gpu:K and --device
#      cuda), SBATCH_ARGS (more sbatch options for both jobs, e.g. "--partition=long
#      --time=12:00:00"), WAIT=1 (wait for the concat job; exit with its status).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: slurm-encode.sh INPUT OUTPUT [N] [nervc encode options...]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
input=$(realpath "$1") output=$(realpath -m "$2") n=${3:-4}
shift $(($# < 3 ? 2 : 3))
parts=$output.parts
cpus=${CPUS_PER_TASK:-1} gpus=${GPUS_PER_TASK:-0}
mkdir -p "$parts"

common=(--parsable --export=ALL ${SBATCH_ARGS:-})
resources=(--cpus-per-task="$cpus")
device=()
if [ "$gpus" -gt 0 ]; then
  resources+=(--gres="gpu:$gpus")
  device=(--device cuda)
fi
# NERVC_THREADS: the shard's thread count is fixed by CPUS_PER_TASK, not by the node.
encode=$(printf '%q ' env NERVC_THREADS="$cpus" "$here/encode-shard.sh" "$input" "$parts")
encode+='"$SLURM_ARRAY_TASK_ID" '$(printf '%q ' "$n" "${device[@]}" "$@")
array=$(sbatch "${common[@]}" "${resources[@]}" --job-name=nervc-encode --array="0-$((n - 1))" \
  --output="$parts/encode-%a.log" --wrap "$encode")
array=${array%%;*}
concat=$(printf '%q ' "$here/concat-parts.sh" "$parts" "$n" "$output")
wait_flag=()
[ "${WAIT:-0}" = 1 ] && wait_flag=(--wait)
echo "slurm-encode: shards: job $array (array 0-$((n - 1))), parts in $parts" >&2
set +e
job=$(sbatch "${common[@]}" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --job-name=nervc-concat --output="$parts/concat.log" "${wait_flag[@]}" --wrap "$concat")
rc=$?
set -e
echo "slurm-encode: concat: job ${job%%;*} -> $output" >&2
echo "$array ${job%%;*}"
exit $rc
