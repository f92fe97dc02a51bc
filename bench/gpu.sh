#!/usr/bin/env bash
# One-shot GPU build, check and benchmark (issue: GPU decoding and encoding). On the GPU
# machine: builds against the libtorch inside its PyTorch, without FFmpeg, using .gpu-deps/
# (bench/gpu-prepare.sh); runs the unit tests (CUDA ones included); measures the card's
# ceilings; prints one table of decode fps per preset x resolution x precision with the floor,
# the encode time of a short fit, and the CPU-vs-GPU PSNR differences. On a machine without a
# GPU it runs the same steps on the CPU (Debian's libtorch, build/). Under $OUT: the log, the
# build logs, and details.tgz (ceilings, decode rows, encode reports, PSNRs, CUDA test log).
# Exits non-zero if a CUDA test fails or, on a GPU, a decode speed target or the CPU/GPU
# agreement (0.05 dB) is missed.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/gpu}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu.log") 2>&1
FIT_EPOCHS=${FIT_EPOCHS:-40}
PARTS=${PARTS:-all}  # all; fit: build, tests, ceilings and the fits only (a short rerun);
                     # rd: build, tests, then the grid RD points (below) only
case $PARTS in all | fit | rd) ;; *) echo "PARTS must be all, fit or rd, not '$PARTS'"; exit 2 ;; esac
# PARTS=rd: the grid preset on the GPU, one encode per clip and lambda, written to $OUT/rd.csv
# (bench/gpu-rd-bd.sh turns it into BD-rates against a CPU compare's x265 points). The device
# tool's budget sets how many points one call can afford: choose RD_CLIPS and RD_LAMBDAS.
RD_CLIPS=${RD_CLIPS:-foreman akiyo news}
RD_LAMBDAS=${RD_LAMBDAS:-0.04 0.012 0.004 0.0012}
RD_FRAMES=${RD_FRAMES:-21}
RD_EPOCHS=${RD_EPOCHS:-0}  # 0: the preset's
date -u
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  DEVICE=cuda
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  TORCH_PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  echo "torch $(python3 -c 'import torch; print(torch.__version__)')"
  DEPS=$PWD/.gpu-deps/usr
  [ -d "$DEPS" ] || { echo "missing .gpu-deps: run bench/gpu-prepare.sh and carry .gpu-deps"; exit 1; }
  BUILD=build-gpu
  GEN=""; command -v ninja >/dev/null && GEN="-G Ninja"
  t0=$(date +%s)
  cmake -S . -B $BUILD $GEN -DCMAKE_BUILD_TYPE=Release -DNERV_WITH_FFMPEG=OFF -DNERV_WITH_OPENCV=OFF \
    -DCMAKE_PREFIX_PATH="$DEPS;$TORCH_PREFIX" -DCMAKE_LIBRARY_PATH="$DEPS/lib/x86_64-linux-gnu" \
    -DCMAKE_INCLUDE_PATH="$DEPS/include" > "$OUT/cmake.log" 2>&1 || { tail -30 "$OUT/cmake.log"; exit 1; }
  if ! cmake --build $BUILD -j "$(nproc)" > "$OUT/build.log" 2>&1; then
    # Whatever does not compile against this libtorch, the rest is still worth measuring:
    # retry once without the CUDA graph and copy-stream layer (plain calls instead).
    grep -m20 -E "error|Error" "$OUT/build.log"
    echo "BUILD FAILED: retrying with -DNERV_CUDA_STREAMS=OFF (no CUDA graphs, no copy stream)"
    cmake -S . -B $BUILD -DNERV_CUDA_STREAMS=OFF >> "$OUT/cmake.log" 2>&1
    cmake --build $BUILD -j "$(nproc)" > "$OUT/build2.log" 2>&1 || { grep -m20 -E "error|Error" "$OUT/build2.log"; exit 1; }
  fi
  echo "build: $(( $(date +%s) - t0 )) s"
  MEDIA=.gpu-deps/media
  REPEAT=${REPEAT:-10} SYNTH_FRAMES=16
else
  DEVICE=cpu
  echo "no CUDA device: running the CPU fallback"
  BUILD=build
  [ -x $BUILD/nervc ] || bash scripts/build.sh
  MEDIA=../shared/media/video/y4m
  REPEAT=${REPEAT:-2} SYNTH_FRAMES=4  # two CPU cores: enough to exercise every step
fi
# On the card every step has a time limit: a hang (a stuck capture, say) must not eat the
# lease; the CPU fallback is slow but cannot hang the same way.
GUARD=""; [ $DEVICE = cuda ] && GUARD="timeout -k 10 150"
N="$GUARD $BUILD/nervc"
PY=python3  # needs numpy; Debian's python3 has it where a pyenv one may not
$PY -c 'import numpy' 2>/dev/null || PY=/usr/bin/python3
# Big intermediate files stay out of $OUT, in $WORK if given (kept), else a temporary folder.
if [ -n "${WORK:-}" ]; then W=$WORK; else W=$(mktemp -d); trap 'rm -rf "$W"' EXIT; fi

echo "== unit tests that touch CUDA (the rest run in CI)"
(cd $BUILD && $GUARD ./tests/nerv_codec_tests --gtest_filter='Cuda.*' > "$W/cuda_tests.log" 2>&1)
tests_rc=$?
grep -E "YUV-PSNR|GPU-encoded|GPU fit|OK \]|SKIPPED|FAILED|Failure|Expected|Which|actual" "$W/cuda_tests.log"
echo "CUDA unit tests: exit code $tests_rc"

if [ "$PARTS" = rd ]; then
  echo "== grid RD points: clips $RD_CLIPS, lambdas $RD_LAMBDAS, $RD_FRAMES frames, epochs ${RD_EPOCHS/#0/preset}"
  echo "sequence,setting,frames,bytes,bpp,psnr_yuv,psnr_y,msssim,encode_s" > "$OUT/rd.csv"
  ep=(); [ "$RD_EPOCHS" != 0 ] && ep=(--epochs "$RD_EPOCHS")
  for c in $RD_CLIPS; do
    for l in $RD_LAMBDAS; do
      $N encode "$MEDIA/${c}_cif_f020-040.y4m" --frames "$RD_FRAMES" -o "$W/rd.nerv" --preset grid \
        --lambda "$l" "${ep[@]}" --device $DEVICE --report "$W/rd.json" -q || { echo "encode $c@$l failed"; continue; }
      $PY - "$W/rd.json" "$c" "$l" >> "$OUT/rd.csv" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); m = r["metrics"]
print(f"{sys.argv[2]}_cif_f020-040,grid@{sys.argv[3]},{r['frames']},{r['bytes']},{r['bpp']:.9f},"
      f"{m['psnr_yuv']:.6f},{m['psnr_y']:.6f},{m.get('msssim', float('nan')):.8f},{r['encode_seconds']:.3f}")
PY
      tail -1 "$OUT/rd.csv"
    done
  done
  exit $(( tests_rc != 0 ))
fi

echo "== ceilings"
$PY - "$DEVICE" > "$W/ceilings.json" <<'PY'
import json, sys
dev = sys.argv[1]
out = {"device": dev}
if dev == "cuda":
    import torch
    def t(fn, n=20):
        fn(); torch.cuda.synchronize()
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        e0.record()
        for _ in range(n): fn()
        e1.record(); torch.cuda.synchronize()
        return e0.elapsed_time(e1) / 1000 / n
    for name, dt in (("fp16", torch.float16), ("bf16", torch.bfloat16), ("fp32", torch.float32)):
        a = torch.randn(8192, 8192, device="cuda", dtype=dt); b = torch.randn_like(a)
        out[f"tflops_{name}"] = 2 * 8192**3 / t(lambda: a @ b) / 1e12
    x = torch.randn(1 << 28, device="cuda"); y = torch.empty_like(x)
    out["copy_gbs"] = 2 * x.numel() * 4 / t(lambda: y.copy_(x)) / 1e9
    out["gpu"] = torch.cuda.get_device_name(0)
print(json.dumps(out))
PY
cat "$W/ceilings.json"

: > "$W/decode.jsonl"
if [ "$PARTS" = all ]; then
echo "== synthetic inputs and streams (decode speed does not depend on content)"
$PY - "$W" "$SYNTH_FRAMES" <<'PY'
import sys
import numpy as np
out, frames = sys.argv[1], int(sys.argv[2])
for w, h in ((640, 360), (1280, 720), (1920, 1080)):
    with open(f"{out}/synth_{w}x{h}.y4m", "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n".encode())
        yy, xx = np.mgrid[0:h, 0:w]
        rng = np.random.default_rng(0)
        tex = rng.integers(0, 40, size=(h, w))
        for t in range(frames):
            y = (128 + 60 * np.sin((xx + 8 * t) / 37.0) * np.cos(yy / 23.0) + tex).clip(0, 255)
            f.write(b"FRAME\n")
            f.write(y.astype(np.uint8).tobytes())
            c = np.full((h // 2) * (w // 2), 128, np.uint8)
            f.write(c.tobytes()); f.write(c.tobytes())
PY
for res in 640x360 1280x720 1920x1080; do
  for p in xs s m l; do
    $N encode "$W/synth_$res.y4m" -o "$W/${p}_$res.nerv" --preset $p --epochs 1 --segment-frames $SYNTH_FRAMES \
      --device $DEVICE -q || echo "encode $p $res failed"
  done
done

echo "== decode speed"
for res in 640x360 1280x720 1920x1080; do
  for p in xs s m l; do
    for prec in fp16 fp16-nograph fp32; do
      [ $DEVICE = cpu ] && [ $prec != fp32 ] && continue
      flags="--precision ${prec%-nograph}"
      [ $prec = fp16-nograph ] && flags="$flags --no-cuda-graphs"
      $N bench-decode "$W/${p}_$res.nerv" --device $DEVICE $flags --batch 8 --repeat $REPEAT --json \
        | python3 -c "import json,sys; j=json.load(sys.stdin); j['preset']='$p'; print(json.dumps(j))" >> "$W/decode.jsonl" \
        || echo "bench-decode $p $res $prec failed"
    done
  done
done
if [ $DEVICE = cuda ]; then
  # Diagnostic: `s` ends in 12 channels before the full-resolution head; does a multiple of 8
  # (what fp16 tensor-core convolutions want) explain why it decodes slower than `m`?
  $PY -c "import json; c = json.load(open('configs/s.json')); c['name'] = 's-c16'; c['model']['channels'][-1] = 16; json.dump(c, open('$W/s-c16.json', 'w'))"
  $N encode "$W/synth_1920x1080.y4m" -o "$W/s-c16_1920x1080.nerv" --config "$W/s-c16.json" --epochs 1 \
    --segment-frames $SYNTH_FRAMES --device $DEVICE -q &&
  $N bench-decode "$W/s-c16_1920x1080.nerv" --device $DEVICE --precision fp16 --batch 8 --repeat $REPEAT --json \
    | python3 -c "import json,sys; j=json.load(sys.stdin); j['preset']='s-c16'; print(json.dumps(j))" >> "$W/decode.jsonl" \
    || echo "s-c16 diagnostic failed"
fi
fi  # PARTS

# The first 16 frames of foreman twice, coded as two intra segments: the second segment does
# the first one's work again once the process is warm (CUDA context, cuDNN, kernels loaded).
CLIP=$W/fit_clip.y4m
$PY - "$MEDIA/foreman_cif_f020-040.y4m" "$CLIP" <<'PY'
import sys
src, dst = open(sys.argv[1], "rb"), open(sys.argv[2], "wb")
header = src.readline()
w = int(header.split(b" W")[1].split()[0]); h = int(header.split(b" H")[1].split()[0])
frames = []
for _ in range(16):
    tag = src.readline()
    assert tag.startswith(b"FRAME"), tag
    frames.append(tag + src.read(w * h * 3 // 2))
dst.write(header + b"".join(frames) * 2)
PY
echo "== encode: foreman CIF, 16 frames twice (two intra segments), preset xs, $FIT_EPOCHS epochs"
fits=("preset:")
[ $DEVICE = cuda ] && fits+=("nograph:--no-cuda-graphs" "batch16:--batch-size 16")
for f in "${fits[@]}"; do
  name=${f%%:*}
  $N encode "$CLIP" -o "$W/fit_$name.nerv" --preset xs --epochs $FIT_EPOCHS --segment-frames 16 \
    --intra-period 1 --device $DEVICE ${f#*:} --report "$W/fit_$name.json" -q || echo "encode ($name) failed"
done
cp "$W/fit_preset.nerv" "$W/fit.nerv"
echo "== CPU vs GPU decode of that stream"
: > "$W/psnr.txt"
specs=("cpu fp32")
[ $DEVICE = cuda ] && specs+=("cuda fp32" "cuda fp16")
for spec in "${specs[@]}"; do
  set -- $spec
  $N decode "$W/fit.nerv" -o "$W/dec.y4m" --device $1 --precision $2 -q
  echo "$1 $2 $($N metrics "$CLIP" "$W/dec.y4m" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["average"]["psnr_yuv"])')" >> "$W/psnr.txt"
done
cat "$W/psnr.txt"

$PY - "$W" "$DEVICE" <<'PY'
import json, sys
w, dev = sys.argv[1], sys.argv[2]
ceil = json.load(open(f"{w}/ceilings.json"))
rows = [json.loads(l) for l in open(f"{w}/decode.jsonl") if l.strip()]
if rows:  # none with PARTS=fit
    print(f"\n## decode fps on {ceil.get('gpu', 'cpu')} (median of repeated runs after warm-up, batch 8)")
    print("| preset | resolution | precision | CUDA graph | fps | GMAC/frame | act. MB/frame | floor fps (compute) | floor fps (memory) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        key = "tflops_" + r["precision"]
        fc = ceil.get(key, 0) * 1e12 / (2 * r["gmac_per_frame"] * 1e9) if key in ceil else float("nan")
        fm = ceil.get("copy_gbs", 0) * 1e9 / (2 * r["activation_mb_per_frame"] * 1e6) if "copy_gbs" in ceil else float("nan")
        print(f"| {r['preset']} | {r['width']}x{r['height']} | {r['precision']} | {'yes' if r.get('cuda_graphs_recorded', 0) else 'no'} | {r['fps_median']:.1f} | "
              f"{r['gmac_per_frame']:.2f} | {r['activation_mb_per_frame']:.0f} | {fc:.0f} | {fm:.0f} |")
import os
print("\n## encode (fit): foreman CIF, 16 frames, preset xs; the same segment coded twice")
print("| run | device | batch | CUDA graphs recorded | segment 0 s (cold) | of which training | segment 1 s (warm) | of which training | YUV-PSNR dB |")
print("|---|---|---|---|---|---|---|---|---|")
for name in ("preset", "nograph", "batch16"):
    if not os.path.exists(f"{w}/fit_{name}.json"):
        continue
    fit = json.load(open(f"{w}/fit_{name}.json"))
    segs = " | ".join(f"{s['seconds']:.2f} | {s.get('train_seconds', float('nan')):.2f}" for s in fit['segments'][:2])
    print(f"| {name} | {fit['device']} | {fit['train']['batch_size']} | {fit.get('cuda_graphs_recorded', 0)} | "
          + segs + f" | {fit['metrics']['psnr_yuv']:.2f} |")
p = dict((" ".join(l.split()[:2]), float(l.split()[2])) for l in open(f"{w}/psnr.txt"))
print("decoded YUV-PSNR:", ", ".join(f"{k} {v:.4f}" for k, v in p.items()))
if dev == "cuda":
    print(f"|cuda fp32 - cpu fp32| = {abs(p['cuda fp32'] - p['cpu fp32']):.4f} dB; "
          f"|cuda fp16 - cuda fp32| = {abs(p['cuda fp16'] - p['cuda fp32']):.4f} dB")
    # The issue's promises, checked: decode speed targets and CPU/GPU agreement.
    missed = []
    for r in rows:
        if r["precision"] != "fp16" or r["preset"] not in ("xs", "s", "m", "l"):
            continue
        need = 120 if (r["height"], r["preset"]) == (1080, "m") else 60 if r["height"] == 720 else 0
        if r["fps_median"] < need:
            missed.append(f"{r['preset']} {r['width']}x{r['height']} fp16: {r['fps_median']:.0f} fps < {need}")
    for a, b in (("cuda fp32", "cpu fp32"), ("cuda fp16", "cuda fp32")):
        if not abs(p[a] - p[b]) <= 0.05:
            missed.append(f"|{a} - {b}| = {abs(p[a] - p[b]):.4f} dB > 0.05")
    print("targets and agreement: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    sys.exit(1 if missed else 0)
PY
checks_rc=$?
# Few files come back from the device machine: the details travel as one archive.
(cd "$W" && tar czf "$OUT/details.tgz" $(ls ceilings.json decode.jsonl fit_*.json psnr.txt cuda_tests.log 2>/dev/null)) ||
  echo "could not archive the details"
exit $(( tests_rc != 0 || checks_rc != 0 ))
