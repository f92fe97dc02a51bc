#!/usr/bin/env bash
# nervc train-prior and encode --prior: the same seed gives the same prior; a run killed in the
# middle and resumed ends with the same prior; the manifest says how the prior was made; a stream
# coded against the prior decodes only with it; bad priors and misuse give one-line errors.
set -euo pipefail
nervc=$1 data=$2 expect=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cfg=$data/tiny_grid_config.json clip=$data/foreman_64x64_6f.y4m
args=(train-prior --data "$clip" --config "$cfg" --crop 32 --frames 2 --clip-frames 6 --inner 3
  --threads 1 -q)
train() { "$nervc" "${args[@]}" "$@"; }
hash() { grep -o '"hash": "[0-9a-f]*"' "$1.json"; }
train -o "$dir/a.prior" --steps 300
train -o "$dir/b.prior" --steps 300
test "$(hash "$dir/a.prior")" = "$(hash "$dir/b.prior")"  # the files differ only in their -o
grep -q '"steps": 300' "$dir/a.prior.json"
grep -q "foreman_64x64_6f.y4m" "$dir/a.prior.json"
grep -q '"hash": "[0-9a-f]\{16\}"' "$dir/a.prior.json"

# --learn arm: only the context model moves; the synthesis keeps the seed's random start.
train -o "$dir/arm.prior" --steps 30 --learn arm
train -o "$dir/arm1.prior" --steps 1 --learn arm
python3 - "$dir/arm.prior" "$dir/arm1.prior" <<'PY'
import struct, sys
def tensors(path):
    b = open(path, "rb").read()
    (n_json,) = struct.unpack_from("<I", b, 10)
    o = 14 + n_json
    (n,) = struct.unpack_from("<I", b, o)
    o += 4
    out = {}
    for _ in range(n):
        (k,) = struct.unpack_from("<H", b, o)
        name = b[o + 2:o + 2 + k].decode()
        o += 2 + k
        d = b[o]
        dims = struct.unpack_from("<%dI" % d, b, o + 1)
        o += 1 + 4 * d
        size = 4
        for x in dims:
            size *= x
        out[name] = b[o:o + size]
        o += size
    return out
arm, arm1 = (tensors(p) for p in sys.argv[1:])
for name in arm:
    same = arm[name] == arm1[name]
    assert same != name.startswith("arm"), name  # synthesis unchanged, context model trained
PY

# Killed after a checkpoint, then resumed: the same prior (weights and hash).
bash "$expect" killed "$dir/c.prior.partial" "$nervc" "${args[@]}" -o "$dir/c.prior" \
  --steps 300
test ! -f "$dir/c.prior"
train -o "$dir/c.prior" --steps 300 --resume
test "$(hash "$dir/a.prior")" = "$(hash "$dir/c.prior")"
test ! -f "$dir/c.prior.partial"
# A checkpoint of other settings is not continued.
bash "$expect" killed "$dir/d.prior.partial" "$nervc" "${args[@]}" -o "$dir/d.prior" \
  --steps 30000
bash "$expect" fail "other settings" "$nervc" train-prior --data "$clip" --config "$cfg" \
  --crop 32 --frames 2 --clip-frames 6 --inner 4 --threads 1 -q -o "$dir/d.prior" --steps 300 --resume

# Encoding from the prior: intra weights are coded against it, the stream names it, and only a
# decoder that has that very prior decodes it.
"$nervc" encode "$clip" -o "$dir/e.nerv" --config "$cfg" --prior "$dir/a.prior" --epochs 8 -q
id=$(grep -o '"prior": "[^"]*"' "$dir/a.prior.json" | cut -d'"' -f4)
bash "$expect" fail "coded against prior $id, which this decoder lacks" \
  "$nervc" decode "$dir/e.nerv" -o "$dir/e.y4m"
train -o "$dir/other.prior" --steps 20
bash "$expect" fail "coded against prior $id, which this decoder lacks" \
  "$nervc" decode "$dir/e.nerv" -o "$dir/e.y4m" --prior "$dir/other.prior"
"$nervc" decode "$dir/e.nerv" -o "$dir/e.y4m" -q --prior "$dir/a.prior"
test "$(stat -c %s "$dir/e.y4m")" -gt 30000

# The built-in prior (priors/*.prior) needs no --prior to decode.
"$nervc" encode "$clip" -o "$dir/g.nerv" --prior "$(dirname "$data")/../priors/grid-a1.prior" \
  --epochs 2 -q
"$nervc" info "$dir/g.nerv" | grep -q "^prior: grid-a1@"
"$nervc" decode "$dir/g.nerv" -o "$dir/g.y4m" -q

# Bad priors and misuse.
bash "$expect" fail "cannot open the prior" "$nervc" encode "$clip" -o "$dir/x.nerv" \
  --config "$cfg" --prior "$dir/nope.prior"
bash "$expect" fail "not a nervc prior" "$nervc" encode "$clip" -o "$dir/x.nerv" \
  --config "$cfg" --prior "$clip"
head -c 300 "$dir/a.prior" > "$dir/t.prior"
bash "$expect" fail "damaged or truncated prior" "$nervc" encode "$clip" -o "$dir/x.nerv" \
  --config "$cfg" --prior "$dir/t.prior"
python3 - "$dir/a.prior" "$dir/f.prior" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 1
open(sys.argv[2], "wb").write(b)
PY
bash "$expect" fail "damaged or truncated prior" "$nervc" encode "$clip" -o "$dir/x.nerv" \
  --config "$cfg" --prior "$dir/f.prior"
python3 - "$dir/a.prior" "$dir/v.prior" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[8] = 9
open(sys.argv[2], "wb").write(b)
PY
bash "$expect" fail "prior format 9, this nervc reads format 1" "$nervc" encode "$clip" \
  -o "$dir/x.nerv" --config "$cfg" --prior "$dir/v.prior"
bash "$expect" fail "was trained for another model than 'grid'" "$nervc" encode "$clip" \
  -o "$dir/x.nerv" --preset grid --prior "$dir/a.prior"
bash "$expect" fail "a prior applies to the grid family" "$nervc" encode "$clip" \
  -o "$dir/x.nerv" --preset xs --prior "$dir/a.prior"
bash "$expect" fail "a prior is for the grid family" "$nervc" train-prior --data "$clip" \
  --preset xs -o "$dir/x.prior"
bash "$expect" fail "in both --data and --dev" "$nervc" train-prior --data "$clip" \
  --dev "$clip" --config "$cfg" -o "$dir/x.prior"
bash "$expect" fail "too small for tasks" "$nervc" train-prior --data "$clip" --config "$cfg" \
  --crop 128 -q -o "$dir/x.prior"
test ! -e "$dir/x.nerv"
test ! -e "$dir/x.prior"
echo "prior ok"
