#!/usr/bin/env bash
# nervc train-hyper and encode --predict/--predictor/--refine: the same seed gives the same
# predictor and prior; a run killed after a checkpoint and resumed ends with the same; the
# manifest says how they were made; --freeze-prior keeps the given prior; a predicted stream is
# coded against the predictor's prior and decodes only with it, the same bytes every time, and
# sharded the same as whole; the built-in predictor works without files, in compare too; pairs
# with a coherence weight train from a given predictor, a deeper one on augmented tasks; bad
# predictors and misuse give one-line errors.
set -euo pipefail
nervc=$1 data=$2 expect=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cfg=$data/tiny_grid_config.json clip=$data/foreman_64x64_6f.y4m
args=(train-hyper --data "$clip" --config "$cfg" --crop 32 --frames 2 --clip-frames 6
  --threads 1 -q)
train() { "$nervc" "${args[@]}" "$@"; }
ids() { grep -o '"\(predictor\|prior\)": "[^"]*"' "$1.json"; }
train -o "$dir/a.predictor" --steps 300
train -o "$dir/b.predictor" --steps 300
test "$(ids "$dir/a.predictor")" = "$(ids "$dir/b.predictor")"
test -f "$dir/a.prior"
grep -q '"steps": 300' "$dir/a.predictor.json"
grep -q "foreman_64x64_6f.y4m" "$dir/a.predictor.json"
grep -q '"predictor": "tiny-grid@[0-9a-f]\{16\}"' "$dir/a.predictor.json"
# The prior written beside the predictor is the one it names.
prior_id=$(grep -o '"prior": "[^"]*"' "$dir/a.predictor.json" | cut -d'"' -f4)
"$nervc" encode "$clip" -o "$dir/p.nerv" --config "$cfg" --prior "$dir/a.prior" --epochs 2 -q
"$nervc" info "$dir/p.nerv" --prior "$dir/a.prior" | grep -q "^prior: $prior_id"

# Killed after a checkpoint, then resumed: the same predictor and prior.
bash "$expect" killed "$dir/c.predictor.partial" "$nervc" "${args[@]}" -o "$dir/c.predictor" \
  --steps 300
test ! -f "$dir/c.predictor"
train -o "$dir/c.predictor" --steps 300 --resume
test "$(ids "$dir/a.predictor")" = "$(ids "$dir/c.predictor")"
test ! -f "$dir/c.predictor.partial"
# A checkpoint of other settings is not continued.
bash "$expect" killed "$dir/d.predictor.partial" "$nervc" "${args[@]}" -o "$dir/d.predictor" \
  --steps 100000
bash "$expect" fail "other settings" "$nervc" "${args[@]}" -o "$dir/d.predictor" --steps 300 \
  --resume

# --freeze-prior: only the predictor trains; it names the given prior, and no prior is written.
train -o "$dir/f.predictor" --steps 20 --prior "$dir/a.prior" --freeze-prior
test ! -e "$dir/f.prior"
grep -q "\"prior\": \"$prior_id\"" "$dir/f.predictor.json"

# Encoding with the predictor: latents predicted, weights from its prior (found by id: given
# here with --prior), the stream coded against that prior; the same bytes every time.
enc() { "$nervc" encode "$clip" --config "$cfg" --predictor "$dir/a.predictor" \
  --prior "$dir/a.prior" -q "$@"; }
enc -o "$dir/r0.nerv" --refine 0
enc -o "$dir/r0b.nerv" --refine 0
cmp "$dir/r0.nerv" "$dir/r0b.nerv"
enc -o "$dir/r3.nerv" --refine 3 --report "$dir/r3.json"
grep -q '"frames": 6' "$dir/r3.json"
bash "$expect" fail "coded against prior $prior_id, which this decoder lacks" \
  "$nervc" decode "$dir/r0.nerv" -o "$dir/r0.y4m"
"$nervc" decode "$dir/r0.nerv" -o "$dir/r0.y4m" -q --prior "$dir/a.prior"
test "$(stat -c %s "$dir/r0.y4m")" -gt 30000
"$nervc" decode "$dir/r3.nerv" -o "$dir/r3.y4m" -q --prior "$dir/a.prior"

# Sharded: every chain starts from its own prediction, so two shards joined are the
# single-process stream byte for byte.
shp=(--segment-frames 1 --intra-period 2 --refine 3 --threads 1)
enc -o "$dir/sw.nerv" "${shp[@]}"
enc -o "$dir/s0.nerv" "${shp[@]}" --shard 0/2
enc -o "$dir/s1.nerv" "${shp[@]}" --shard 1/2
"$nervc" concat "$dir/s1.nerv" "$dir/s0.nerv" -o "$dir/sj.nerv" -q
cmp "$dir/sw.nerv" "$dir/sj.nerv"

# The built-in predictor (priors/*.predictor) and its built-in prior: no files needed.
"$nervc" encode "$clip" -o "$dir/g.nerv" --predict --refine 0 -q
"$nervc" info "$dir/g.nerv" | grep -q "^prior: grid-h1@"
"$nervc" decode "$dir/g.nerv" -o "$dir/g.y4m" -q

# Temporal coherence: from a given predictor, on pairs of consecutive segments, at another
# lambda; the same seed gives the same predictor; the manifest says how it was made.
coh=(--prior "$dir/a.prior" --freeze-prior --from "$dir/a.predictor" --pairs --coherence 0.01
  --lambda 0.01 --steps 20)
train -o "$dir/h.predictor" "${coh[@]}"
train -o "$dir/i.predictor" "${coh[@]}"
test "$(ids "$dir/h.predictor")" = "$(ids "$dir/i.predictor")"
test "$(ids "$dir/h.predictor")" != "$(ids "$dir/f.predictor")"
grep -q '"pairs": true' "$dir/h.predictor.json"
grep -q '"coherence": 0.01' "$dir/h.predictor.json"
grep -q '"lambda": 0.01' "$dir/h.predictor.json"
grep -q "\"from\": \"$(grep -o '"predictor": "[^"]*"' "$dir/a.predictor.json" | cut -d'"' -f4)\"" \
  "$dir/h.predictor.json"
enc -o "$dir/h.nerv" --refine 0
"$nervc" decode "$dir/h.nerv" -o "$dir/h.y4m" -q --prior "$dir/a.prior"

# A deeper predictor on augmented tasks: recorded in command and manifest; --from keeps its
# depth; a stream predicted with it decodes.
deep=(--prior "$dir/a.prior" --freeze-prior --augment --steps 10)
train -o "$dir/k.predictor" "${deep[@]}" --depth 3
grep -q '"augment": true' "$dir/k.predictor.json"
grep -q -- '--augment .*--depth 3' "$dir/k.predictor.json"
train -o "$dir/l.predictor" "${deep[@]}" --from "$dir/k.predictor"
grep -q -- '--depth 3' "$dir/l.predictor.json"
bash "$expect" fail "has another shape .--channels 24 --depth 3." "$nervc" "${args[@]}" \
  -o "$dir/m.predictor" "${deep[@]}" --from "$dir/k.predictor" --depth 2
"$nervc" encode "$clip" --config "$cfg" --predictor "$dir/l.predictor" --prior "$dir/a.prior" \
  -o "$dir/l.nerv" --refine 0 -q
"$nervc" decode "$dir/l.nerv" -o "$dir/l.y4m" -q --prior "$dir/a.prior"

# compare --predict: its points are encode --predict's streams, labelled apart.
"$nervc" compare "$clip" --presets grid --lambdas 0.01 --epochs 2 --qps 42 --predict \
  --threads 1 --out "$dir/cmp" -q > /dev/null
grep -q '^foreman_64x64_6f,nervc,grid+predict@0.01,ok' "$dir/cmp/results.csv"
"$nervc" encode "$clip" -o "$dir/ce.nerv" --predict --lambda 0.01 --epochs 2 --threads 1 -q
cmp "$dir/ce.nerv" "$dir/cmp/streams/foreman_64x64_6f.nervc.grid+predict@0.01.nerv"

# Bad predictors and misuse.
bash "$expect" fail "--coherence needs --pairs" "$nervc" "${args[@]}" -o "$dir/x.predictor" \
  --coherence 1
bash "$expect" fail "--from needs --prior" "$nervc" "${args[@]}" -o "$dir/x.predictor" \
  --from "$dir/a.predictor"
bash "$expect" fail "--predict: no built-in predictor for preset 'tiny-grid'" "$nervc" compare \
  "$clip" --presets "$cfg" --predict --out "$dir/x"
bash "$expect" fail "--predict applies to videos" "$nervc" compare "$clip" --images --predict \
  --out "$dir/x"
bash "$expect" fail "--refine needs --predict or --predictor" "$nervc" encode "$clip" \
  -o "$dir/x.nerv" --config "$cfg" --refine 2
bash "$expect" fail "no built-in predictor for preset 'tiny-grid'" "$nervc" encode "$clip" \
  -o "$dir/x.nerv" --config "$cfg" --predict
bash "$expect" fail "needs prior $prior_id: give it with --prior" "$nervc" encode "$clip" \
  -o "$dir/x.nerv" --config "$cfg" --predictor "$dir/a.predictor"
train -o "$dir/o.predictor" --steps 3 --seed 5
bash "$expect" fail "predicts for prior $prior_id, not the prior given" \
  "$nervc" encode "$clip" -o "$dir/x.nerv" --config "$cfg" --predictor "$dir/a.predictor" \
  --prior "$dir/o.prior"
bash "$expect" fail "predicts for prior $prior_id, not the prior given" \
  "$nervc" "${args[@]}" -o "$dir/x.predictor" --from "$dir/a.predictor" --prior "$dir/o.prior"
bash "$expect" fail "cannot open the predictor" "$nervc" encode "$clip" -o "$dir/x.nerv" \
  --config "$cfg" --predictor "$dir/nope.predictor"
bash "$expect" fail "not a nervc predictor" "$nervc" encode "$clip" -o "$dir/x.nerv" \
  --config "$cfg" --predictor "$dir/a.prior"
bash "$expect" fail "not a nervc prior" "$nervc" encode "$clip" -o "$dir/x.nerv" \
  --config "$cfg" --prior "$dir/a.predictor"
head -c 3000 "$dir/a.predictor" > "$dir/t.predictor"
bash "$expect" fail "damaged or truncated predictor" "$nervc" encode "$clip" -o "$dir/x.nerv" \
  --config "$cfg" --predictor "$dir/t.predictor"
python3 - "$dir/a.predictor" "$dir/v.predictor" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[8] = 7
open(sys.argv[2], "wb").write(b)
PY
bash "$expect" fail "predictor format 7, this nervc reads format 1" "$nervc" encode "$clip" \
  -o "$dir/x.nerv" --config "$cfg" --predictor "$dir/v.predictor"
bash "$expect" fail "was trained for another model than 'grid'" "$nervc" encode "$clip" \
  -o "$dir/x.nerv" --preset grid --predictor "$dir/a.predictor" --prior "$dir/a.prior"
bash "$expect" fail "--freeze-prior needs --prior" "$nervc" train-hyper --data "$clip" \
  --config "$cfg" --freeze-prior -o "$dir/x.predictor"
bash "$expect" fail "a predictor is for the grid family" "$nervc" train-hyper --data "$clip" \
  --preset xs -o "$dir/x.predictor"
bash "$expect" fail "in both --data and --dev" "$nervc" train-hyper --data "$clip" \
  --dev "$clip" --config "$cfg" -o "$dir/x.predictor"
test ! -e "$dir/x.nerv"
test ! -e "$dir/x.predictor"
echo "hyper ok"
