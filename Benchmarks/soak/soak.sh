#!/usr/bin/env bash
# Soak benchmark: `edge-node serve` against `coordinator serve` (release builds, CURVE on
# 127.0.0.1) on a clip that loops as an endless camera, with a signed 2-of-3 watchlist that
# matches someone in it. Samples the node's and the coordinator's resident memory (VmRSS) once a
# minute and prints the table, then whether the node's memory stays flat after warm-up.
#
#   Benchmarks/soak/soak.sh [MINUTES (default 30)] [SAMPLE_SECONDS (default 60)]
#
# Uses the Hamilton clip of ../shared/datasets (or $WATCHPOST_DATASETS) with Miranda enrolled,
# else a clip made from the public test photos. Everything it makes goes into a temporary folder.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
minutes=${1:-30}
interval=${2:-60}
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
export WATCHPOST_MODELS=${WATCHPOST_MODELS:-$repo/models}
swift build -c release --product edge-node >&2
swift build -c release --product coordinator >&2
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

datasets=${WATCHPOST_DATASETS:-$repo/../shared/datasets}
clip=$datasets/videos/face_recognition/short_hamilton_clip.mp4
if [ -f "$clip" ]; then
  photo=$datasets/videos/face_recognition/hamilton_enroll/Lin_Manuel_Miranda/$(ls "$datasets/videos/face_recognition/hamilton_enroll/Lin_Manuel_Miranda" | head -1)
else
  photo=$repo/.testdata/obama.jpg
  clip=$work/photos.mp4
  ffmpeg -loglevel error -y -loop 1 -t 3 -i .testdata/biden.jpg -loop 1 -t 3 -i .testdata/obama2.jpg \
    -filter_complex "[0]scale=640:480,setsar=1[a];[1]scale=640:480,setsar=1[b];[a][b]concat=n=2:v=1" -r 15 -pix_fmt yuv420p "$clip"
fi
cp "$photo" "$work/subject.jpg"

"$bin/coordinator" keys new-curve --out "$work/coordinator.curve" >/dev/null
"$bin/edge-node" keys new --out "$work/node.curve" >/dev/null
for s in officer authoriser deputy; do "$bin/coordinator" keys new-signer --out "$work/$s.key" >/dev/null; done
printf 'subject_id,display_name,category,reason,image_source,image_paths\ns-1,Soak subject,wanted,soak test,public photo,subject.jpg\n' > "$work/m.csv"
"$bin/coordinator" watchlist build --manifest "$work/m.csv" --deployment soak --watchlist-id wl --version 1 \
  --expires 2099-01-01T00:00:00Z --threshold 0.6 --out "$work/wl.bundle" >/dev/null
for s in officer authoriser; do "$bin/coordinator" watchlist sign --bundle "$work/wl.bundle" --key "$work/$s.key" >/dev/null; done
port=$((22000 + RANDOM % 5000))
cat > "$work/coordinator.json" <<JSON
{"server": {"bind": "tcp://127.0.0.1:$port", "curve_key": "$work/coordinator.curve", "state_dir": "$work/coordinator"},
 "nodes": {"enrolled": [{"node_id": "soak-node", "camera": "soak-cam", "key": "$work/node.curve.pub"}]}, "watchlist": {"bundle": "$work/wl.bundle"}}
JSON
cat > "$work/node.json" <<JSON
{"node": {"id": "soak-node", "camera_id": "soak-cam", "source": "$clip", "coordinator": "tcp://127.0.0.1:$port",
          "coordinator_key": "$work/coordinator.curve.pub", "curve_key": "$work/node.curve", "state_dir": "$work/node",
          "pace_files": true, "loop_files": true},
 "watchlist": {"deployment_id": "soak", "required_signatures": 2,
               "trusted_signers": ["$work/officer.key.pub", "$work/authoriser.key.pub", "$work/deputy.key.pub"]}}
JSON
"$bin/coordinator" serve --config "$work/coordinator.json" 2> "$work/coordinator.log" & pids+=($!); coordinator=$!
"$bin/edge-node" serve --config "$work/node.json" 2> "$work/node.log" & pids+=($!); node=$!

rss() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "gone"; }
echo "soak: $minutes min on $(basename "$clip") looping, sampled every $interval s"
printf '%8s %14s %20s %8s\n' minute node_rss_mib coordinator_rss_mib alerts
samples=$work/samples
: > "$samples"
for ((i = 0; i <= minutes * 60 / interval; i++)); do
  [ "$i" -gt 0 ] && sleep "$interval"
  kill -0 "$node" 2>/dev/null || { echo "soak: the node died; its log:" >&2; tail -20 "$work/node.log" >&2; exit 1; }
  alerts=$(grep -c "alert stored" "$work/coordinator.log" || true)
  n=$(rss "$node"); c=$(rss "$coordinator")
  printf '%8.1f %14s %20s %8s\n' "$(echo "$i * $interval / 60" | bc -l)" "$n" "$c" "$alerts"
  echo "$((i * interval)) $n" >> "$samples"
done
# Flat after warm-up: the node's RSS over the last two thirds of the run, its range and its
# least-squares slope (MiB per hour).
awk -v total=$((minutes * 60)) '
  $1 >= total / 3 { n++; x[n] = $1 / 3600; y[n] = $2; sx += x[n]; sy += y[n] }
  END {
    if (n < 2) { print "soak: too few samples after warm-up"; exit }
    mx = sx / n; my = sy / n; lo = y[1]; hi = y[1]
    for (i = 1; i <= n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2; if (y[i] < lo) lo = y[i]; if (y[i] > hi) hi = y[i] }
    printf "soak: after warm-up (last %d samples) node RSS %.1f-%.1f MiB, slope %+.1f MiB/hour\n", n, lo, hi, sxy / sxx
  }' "$samples"
grep -q "loops\|alert queued" "$work/node.log" && echo "soak: alerts queued by the node: $(grep -c 'alert queued' "$work/node.log")"
