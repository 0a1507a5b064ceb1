#!/usr/bin/env bash
# The main job, as a local demo of the whole system on 127.0.0.1: a coordinator with the control
# room's web UI and two edge nodes fed by real clips looping as live cameras, a 2-of-3 signed
# watchlist, and a deployment created, authorised and started on the record. Prints the URL and
# the demo logins; Ctrl-C ends the deployment (the nodes wipe their list) and stops everything.
#
# Uses the Hamilton clip and its enrolment stills (Miranda and Obama) and the crowd clip from
# ../shared/datasets when present (or $WATCHPOST_DATASETS), else clips made from the public test
# photos. Keys, users, the evaluation and the builds live in $WATCHPOST_DEMO_DIR (default .demo/),
# so a second run reuses them; each run plans a new deployment.
#
#   WATCHPOST_DEMO_PORT  the control room's port (default 8080)
#   WATCHPOST_BIN        use release binaries from this folder instead of building them (tests)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# Swift 6 is expected on the PATH; the usual tarball install lives in /opt/swift.
command -v swift >/dev/null || { [ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH; } \
  || { echo "swift not found: install Swift 6 and put it on the PATH" >&2; exit 1; }
scripts/setup.sh --with-test-data
export WATCHPOST_MODELS=${WATCHPOST_MODELS:-$repo/models}
if [ -n "${WATCHPOST_BIN:-}" ]; then
  bin=$WATCHPOST_BIN
else
  swift build -c release --product coordinator
  swift build -c release --product edge-node
  bin=$(swift build -c release --show-bin-path)
fi
demo=${WATCHPOST_DEMO_DIR:-$repo/.demo}
port=${WATCHPOST_DEMO_PORT:-8080}
zmq=$((20000 + RANDOM % 10000))
mkdir -p "$demo"
chmod 700 "$demo"
say() { printf 'demo: %s\n' "$*" >&2; }
coordinator() { "$bin/coordinator" "$@"; }

# Keys: the coordinator's, one per node, three signers (intelligence, supervisor, legal). Never overwritten.
[ -f "$demo/coordinator.curve" ] || coordinator keys new-curve --out "$demo/coordinator.curve" >/dev/null
for n in node1 node2; do [ -f "$demo/$n.curve" ] || "$bin/edge-node" keys new --out "$demo/$n.curve" >/dev/null; done
for s in intelligence supervisor legal; do [ -f "$demo/$s.key" ] || coordinator keys new-signer --out "$demo/$s.key" >/dev/null; done

# The clips and the list.
datasets=${WATCHPOST_DATASETS:-$repo/../shared/datasets}
hamilton=$datasets/videos/face_recognition/short_hamilton_clip.mp4
crowd=$datasets/videos/intel-sample-videos/face-demographics-walking.gif
if [ -f "$hamilton" ] && [ -f "$crowd" ]; then
  enrol=$datasets/videos/face_recognition/hamilton_enroll
  clip1=$hamilton
  clip2=$demo/crowd.mp4
  [ -f "$clip2" ] || ffmpeg -loglevel error -y -i "$crowd" -vf "scale=trunc(iw/2)*2:trunc(ih/2)*2" -pix_fmt yuv420p "$clip2"
  printf '%s\n' "subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18" \
    "s-miranda,L-M Miranda,wanted,demo warrant,press photo,$(ls "$enrol"/Lin_Manuel_Miranda/* | head -1),demo,no" \
    "s-obama,B Obama,wanted,demo warrant,press photo,$(ls "$enrol"/Barack_Obama/* | head -1),demo,no" > "$demo/manifest.csv"
else
  say "../shared/datasets not found: using clips made from the public test photos"
  clip1=$demo/obama.mp4
  clip2=$demo/biden.mp4
  [ -f "$clip1" ] || ffmpeg -loglevel error -y -loop 1 -t 4 -i .testdata/obama2.jpg -vf scale=640:-2 -r 10 -pix_fmt yuv420p "$clip1"
  [ -f "$clip2" ] || ffmpeg -loglevel error -y -loop 1 -t 4 -i .testdata/biden.jpg -vf scale=640:-2 -r 10 -pix_fmt yuv420p "$clip2"
  printf '%s\n' "subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18" \
    "s-obama,B Obama,wanted,demo warrant,public test photo,$repo/.testdata/obama.jpg,demo,no" > "$demo/manifest.csv"
fi

# Expected rates for the record: an evaluation made on lfw_dev with lists that are their own
# cohort, as the demo's are (figures only, committed; docs/evaluation says how it was made).
evaluation=$repo/docs/evaluation/lfw_dev-watchlist-cohort.json

# Each run: a new deployment and its signed list (2 of the 3 signers).
deployment=demo-$(date -u +%Y%m%d-%H%M%S)
coordinator watchlist build --manifest "$demo/manifest.csv" --deployment "$deployment" --watchlist-id demo-list --version 1 \
  --expires "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" --threshold 0.58 --out "$demo/$deployment.bundle" >&2
for s in intelligence supervisor; do coordinator watchlist sign --bundle "$demo/$deployment.bundle" --key "$demo/$s.key" >/dev/null; done

cat > "$demo/coordinator.json" <<JSON
{"server": {"bind": "tcp://127.0.0.1:$zmq", "curve_key": "$demo/coordinator.curve", "state_dir": "$demo/coordinator"},
 "nodes": {"enrolled": [{"node_id": "node1", "camera": "stage-cam", "key": "$demo/node1.curve.pub"},
                        {"node_id": "node2", "camera": "street-cam", "key": "$demo/node2.curve.pub"}]},
 "web": {"host": "127.0.0.1", "port": $port},
 "watchlists": {"signers": [{"name": "Demo intelligence signer", "key": "$demo/intelligence.key.pub"},
                            {"name": "Demo supervisor signer", "key": "$demo/supervisor.key.pub"},
                            {"name": "Demo legal signer", "key": "$demo/legal.key.pub"}],
                "required_signatures": 2, "evaluation": "$evaluation"},
 "retention": {"bundle_destroy_after_s": 60}}
JSON
signers=$(printf '"%s",' "$demo"/{intelligence,supervisor,legal}.key.pub); signers=${signers%,}
write_node() { # name camera clip
  cat > "$demo/$1.json" <<JSON
{"node": {"id": "$1", "camera_id": "$2", "source": "$3", "loop_files": true, "coordinator": "tcp://127.0.0.1:$zmq",
          "coordinator_key": "$demo/coordinator.curve.pub", "curve_key": "$demo/$1.curve", "state_dir": "$demo/$1"},
 "watchlist": {"deployment_id": "$deployment", "required_signatures": 2, "trusted_signers": [$signers]}}
JSON
}
write_node node1 stage-cam "$clip1"
write_node node2 street-cam "$clip2"

# Demo users, one per role, with passwords made once and kept in logins.txt (0600); a role
# added since an earlier run gets its user on the next.
umask 077
touch "$demo/logins.txt"
for u in operator:operator supervisor:supervisor intelligence:intelligence officer:authorising-officer field:field-officer auditor:auditor admin:admin; do
  name=demo-${u%%:*}; role=${u#*:}
  grep -q "^$name " "$demo/logins.txt" && continue
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 16)
  echo "$password" | coordinator users add --config "$demo/coordinator.json" --as demo.sh --name "$name" --role "$role" >/dev/null
  printf '%-20s %-20s %s\n' "$name" "$role" "$password" >> "$demo/logins.txt"
done

pids=()
stop() {
  trap - INT TERM EXIT
  say "ending $deployment and stopping"
  coordinator deployment end --config "$demo/coordinator.json" --id "$deployment" --as demo.sh >/dev/null 2>&1 || true
  sleep 2
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 40); do
    alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break; sleep 0.5
  done
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && { say "pid $p did not stop in 20 s: killed"; kill -KILL "$p"; }; done
  wait || true
  say "stopped"
  exit 0
}
trap stop INT TERM EXIT

# Each in its own session, so that Ctrl-C reaches this script alone and the stop happens in order:
# the deployment ends, the nodes hear it and wipe their list, then everything is stopped.
setsid "$bin/coordinator" serve --config "$demo/coordinator.json" 2> "$demo/coordinator.log" & pids+=($!)
for _ in $(seq 100); do grep -q "control room listening" "$demo/coordinator.log" 2>/dev/null && break; sleep 0.1; done
grep -q "control room listening" "$demo/coordinator.log" || { cat "$demo/coordinator.log" >&2; exit 1; }

coordinator deployment create --config "$demo/coordinator.json" --as demo-intelligence --id "$deployment" \
  --place "Demo stage and street" --latitude 51.5072 --longitude=-0.1276 --from "$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)" \
  --to "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" --purpose "demonstration" --legal-basis "demonstration only" \
  --nodes node1,node2 --bundle "$demo/$deployment.bundle" --manifest "$demo/manifest.csv" --evaluation "$evaluation" >&2
coordinator deployment authorise --config "$demo/coordinator.json" --as demo-officer --id "$deployment" >&2
coordinator deployment start --config "$demo/coordinator.json" --as demo-supervisor --id "$deployment" >&2
coordinator deployment team --config "$demo/coordinator.json" --as demo-supervisor --id "$deployment" --add demo-field >&2
setsid "$bin/edge-node" serve --config "$demo/node1.json" 2> "$demo/node1.log" & pids+=($!)
setsid "$bin/edge-node" serve --config "$demo/node2.json" 2> "$demo/node2.log" & pids+=($!)

cat <<TEXT
demo: ready: the control room is at http://127.0.0.1:$port/ (deployment $deployment)
demo: logins (also in $demo/logins.txt):
$(cat "$demo/logins.txt")
demo: logs in $demo/*.log; Ctrl-C ends the deployment and stops everything
TEXT
wait
