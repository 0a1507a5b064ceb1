#!/usr/bin/env bash
# The main job, as a local demo: enrol a small watchlist and run the edge pipeline offline on a
# real clip, printing one JSON alert per line. Uses the Hamilton clip from ../shared/datasets when
# present (Miranda and Obama enrolled), else a clip made from the public test photos.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# Swift 6 is expected on the PATH; the usual tarball install lives in /opt/swift.
command -v swift >/dev/null || { [ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH; } \
  || { echo "swift not found: install Swift 6 and put it on the PATH" >&2; exit 1; }
scripts/setup.sh --with-test-data
export WATCHPOST_MODELS=${WATCHPOST_MODELS:-$repo/models}
swift build -c release --product edge-node
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/enrol"

datasets=${WATCHPOST_DATASETS:-$repo/../shared/datasets}
clip=$datasets/videos/face_recognition/short_hamilton_clip.mp4
if [ -f "$clip" ]; then
  for s in Barack_Obama Lin_Manuel_Miranda; do
    ln -s "$datasets/videos/face_recognition/hamilton_enroll/$s" "$work/enrol/$s"
  done
else
  echo "demo: $clip not found; using a clip made from the public test photos" >&2
  mkdir -p "$work/enrol/subject-obama"
  cp .testdata/obama.jpg "$work/enrol/subject-obama/"
  clip=$work/photos.mp4
  ffmpeg -loglevel error -y \
    -loop 1 -t 2 -i .testdata/biden.jpg -loop 1 -t 2 -i .testdata/obama2.jpg -loop 1 -t 2 -i .testdata/obama3.jpg \
    -filter_complex "[0]scale=640:480,setsar=1[a];[1]scale=640:480,setsar=1[b];[2]scale=640:480,setsar=1[c];[a][b][c]concat=n=3:v=1" \
    -r 15 -pix_fmt yuv420p "$clip"
fi

"$bin/edge-node" enrol --from "$work/enrol" --out "$work/watchlist.json"
"$bin/edge-node" run --source "$clip" --watchlist "$work/watchlist.json" --crops "$work/crops" --report "$work/report.json"
echo "demo: run counters (no faces):" >&2
cat "$work/report.json" >&2; echo >&2
