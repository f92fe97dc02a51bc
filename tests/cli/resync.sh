#!/usr/bin/env bash
# --skip-errors on a pipe: a damaged chunk (payload, size field or tag) is passed over and
# decoding resumes at the next intact chunk; without the flag the same damage is an error.
set -euo pipefail
nervc=$1 data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Two intra segments of three frames each.
"$nervc" encode "$data/foreman_64x64_6f.y4m" -o "$dir/a.nerv" --config "$data/tiny_config.json" \
  --intra-period 1 -q
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
s = bytearray(open(f"{d}/a.nerv", "rb").read())
first = s.find(b"SEGM"); second = s.find(b"SEGM", first + 4)
def damaged(name, edit, at):
    b = bytearray(s); edit(b, at); open(f"{d}/{name}.nerv", "wb").write(b)
damaged("payload", lambda b, i: b.__setitem__(i + 40, b[i + 40] ^ 0xFF), first)
damaged("size", lambda b, i: b.__setitem__(slice(i + 21, i + 25), b"\x00\x00\x10\x00"), first)
damaged("tag", lambda b, i: b.__setitem__(i + 1, b[i + 1] ^ 0x20), first)
damaged("last", lambda b, i: b.__setitem__(i + 40, b[i + 40] ^ 0xFF), second)
PY
for case in payload:1 size:1 tag:1 last:0; do
  name=${case%%:*} want_segment=${case#*:}
  cat "$dir/$name.nerv" | "$nervc" decode - -o "$dir/$name.y4m" --skip-errors 2> "$dir/$name.log"
  frames=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(b"FRAME\n"))' "$dir/$name.y4m")
  [ "$frames" = 3 ] || { echo "$name: $frames frames, expected 3"; cat "$dir/$name.log"; exit 1; }
  if [ "$want_segment" = 1 ]; then
    grep -q "resynchronised at segment 1" "$dir/$name.log" || { cat "$dir/$name.log"; exit 1; }
  else
    grep -q "resynchronised at the stream.s index" "$dir/$name.log" || { cat "$dir/$name.log"; exit 1; }
  fi
  if cat "$dir/$name.nerv" | "$nervc" decode - -o "$dir/x.y4m" 2>/dev/null; then
    echo "$name: decoded without --skip-errors"; exit 1
  fi
done
# What follows the damage is the intact stream's second segment, exactly.
cat "$dir/a.nerv" | "$nervc" decode - -o "$dir/all.y4m"
python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
def frames(p):
    return open(p, "rb").read().split(b"FRAME\n")[1:]
all_ = frames(f"{d}/all.y4m")
for name in ("payload", "size", "tag"):
    assert frames(f"{d}/{name}.y4m") == all_[3:], name
assert frames(f"{d}/last.y4m") == all_[:3]
PY
echo "resync ok"
