#!/usr/bin/env bash
# Joins the N parts encode-shard.sh wrote into one stream (the last step of slurm-encode.sh and
# of k8s-encode.yaml):
#
#   concat-parts.sh PARTS_DIR N OUTPUT
#
# Every part is named, so a missing one is an error naming it, and nothing is written.
# Env: NERVC (default: nervc in PATH).
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: concat-parts.sh PARTS_DIR N OUTPUT" >&2
  exit 2
fi
parts=$1 n=$2 output=$3
files=()
for ((i = 0; i < n; i++)); do files+=("$(printf '%s/part-%05d.nerv' "$parts" "$i")"); done
exec "${NERVC:-nervc}" concat "${files[@]}" -o "$output"
