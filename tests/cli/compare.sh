#!/usr/bin/env bash
# A tiny end-to-end comparison (two nervc configs, two x265 QPs, four frames): the four outputs
# exist and agree with the streams on disk, and --resume skips every finished point.
set -euo pipefail
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
clip=$data/foreman_64x64_6f.y4m
cp "$data/tiny_config.json" "$dir/tiny_config.json"  # edited at the end
args=("$clip" --frames 4 --presets "$dir/tiny_config.json,xs" --epochs 20 --qps 32,42 --out "$dir/c")
"$nervc" compare "${args[@]}" > "$dir/stdout" 2> "$dir/progress.log"
grep -q "BD-rate psnr_yuv" "$dir/stdout"
# Progress: a line per finished point with an ETA: unknown ("?") until a point of each kind
# still to come has been timed, an estimate for the second nervc point, zero at the end.
grep -o '| elapsed [0-9:]*, ETA [0-9:?]*' "$dir/progress.log" | sed 's/.*ETA /ETA /' > "$dir/eta"
python3 - "$dir/eta" <<'PY'
import re, sys
etas = [l.split()[1] for l in open(sys.argv[1])]
assert len(etas) == 4 and etas[:2] == ["?", "?"], etas
assert re.fullmatch(r"\d+:\d\d", etas[2]) and etas[3] == "0:00", etas
PY
for f in results.csv results.json rd_foreman_64x64_6f.png report.html; do
  test -s "$dir/c/$f" || { echo "missing $f"; exit 1; }
done
grep -q 'src="data:image/png;base64,' "$dir/c/report.html"
! grep -q 'http' "$dir/c/report.html"  # self-contained
python3 - "$dir/c" <<'PY'
import csv, json, os, sys
d = sys.argv[1]
png = open(os.path.join(d, "rd_foreman_64x64_6f.png"), "rb").read(24)
assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[16:24] == (1400).to_bytes(4, "big") + (600).to_bytes(4, "big")
rows = list(csv.DictReader(open(os.path.join(d, "results.csv"))))
assert [(r["codec"], r["setting"]) for r in rows] == [
    ("x265", "qp32"), ("x265", "qp42"), ("nervc", "tiny_config"), ("nervc", "xs")], rows
for r in rows:
    assert r["status"] == "ok", r
    ext = "nerv" if r["codec"] == "nervc" else "hevc"
    size = os.path.getsize(os.path.join(d, "streams", f"{r['sequence']}.{r['codec']}.{r['setting']}.{ext}"))
    assert int(r["bytes"]) == size, (r, size)
    assert abs(float(r["bpp"]) - size * 8 / (4 * 64 * 64)) < 1e-5, r
x265 = {r["setting"]: r for r in rows if r["codec"] == "x265"}
assert float(x265["qp32"]["psnr_yuv"]) > float(x265["qp42"]["psnr_yuv"])
assert int(x265["qp32"]["bytes"]) > int(x265["qp42"]["bytes"])
j = json.load(open(os.path.join(d, "results.json")))
assert len(j["points"]) == 4 and j["settings"]["anchor"]["qps"] == [32, 42]
assert "tune=psnr" in j["settings"]["anchor"]["description"]
assert "keyint=6" in j["settings"]["anchor"]["description"]  # tiny config: 3 frames x 2 segments
assert j["versions"]["libx265"].startswith("x265"), j["versions"]
assert {b["metric"] for b in j["bd"]} == {"psnr_yuv", "psnr_y", "msssim"}
for b in j["bd"]:  # these curves cannot overlap in quality: n/a with a reason, never a number
    for k in ("bd_rate_percent_pchip", "bd_rate_percent_cubic"):
        v = b[k]
        assert v.get("value") is None and isinstance(v.get("reason"), str) and v["reason"], (k, b)
print("compare outputs ok")
PY
# Resume: nothing runs again, the outputs are rebuilt.
"$nervc" compare "${args[@]}" --resume 2> "$dir/resume.log" > /dev/null
test "$(grep -c 'done before (--resume)' "$dir/resume.log")" = 4
test "$(wc -l < "$dir/c/results.csv")" = 5
# Without --resume an existing comparison is never overwritten.
if "$nervc" compare "${args[@]}" -q 2> "$dir/err.log"; then exit 1; fi
grep -q "add --resume" "$dir/err.log"
# A preset file edited since: --resume refuses to mix its old points with new ones.
sed -i 's/"lr": 0.01/"lr": 0.02/' "$dir/tiny_config.json"
if "$nervc" compare "${args[@]}" --resume -q 2> "$dir/err.log"; then exit 1; fi
grep -q "holds a comparison with other settings" "$dir/err.log"
# Every training field counts, also the ones read by one family only (train.proxy once did not):
# with lr back the old points fit again, with another proxy they do not.
sed -i 's/"lr": 0.02/"lr": 0.01/' "$dir/tiny_config.json"
"$nervc" compare "${args[@]}" --resume -q 2> /dev/null > /dev/null
sed -i 's/"lr": 0.01,/"lr": 0.01, "proxy": "uniform",/' "$dir/tiny_config.json"
if "$nervc" compare "${args[@]}" --resume -q 2> "$dir/err.log"; then exit 1; fi
grep -q "holds a comparison with other settings" "$dir/err.log"
echo "compare ok"
