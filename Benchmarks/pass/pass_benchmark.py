#!/usr/bin/env python3
"""Pass benchmark: does a wanted person who walks past the camera raise one alert, and does
anybody else raise none?

Makes walk-past clips from lfw_dev with ../shared/tools/walkpast/walkpast.py (one per seed; kept
in --work, outside the repository, and reused), enrols each clip's people with `edge-node enrol`
(without a cohort, with a cohort of lfw_dev people who appear in none of the clips, and with
that cohort carried as centroids of --cohort-centroids people: --cohorts none,faces,centroids), runs
`edge-node run --trace` on the clip, and prints per clip and pooled: pass recall with a 95% Wilson
interval, false alerts per 100 stranger passes, alerts per detected pass, recall by condition
(day, night, blur, overlapping), and where each missed pass was lost (never detected, kept from
the models by the quality gate and why, not embedded, first look too far, second look too far),
from the tracks that lay on the pass. The Python face_recognition loop
(Benchmarks/baseline/face_recognition_faces.py, every --baseline-every frames) runs on the same
clips: at its default tolerance 0.6 and at the largest tolerance whose false alerts do not exceed
ours.

usage: scripts/setup-baseline.sh && swift build -c release &&
       python3 Benchmarks/pass/pass_benchmark.py [--seeds 11,12,13] [--enrolled 40] [--distractors 80] [--realtime]
                                                 [--cohorts none,faces,centroids] [--cohort-centroids 5]
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
CONDITIONS = ["day", "night", "blur", "overlapping"]


def wilson(k, n, z=1.96):
    if n == 0:
        return (0.0, 0.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def overlapping(passes):
    """Identities whose pass shares frames with another pass."""
    out = set()
    for a in passes:
        for b in passes:
            if a is not b and a["start"] <= b["end"] and b["start"] <= a["end"]:
                out.add(a["identity"])
    return out


def lost_at(p, tracks):
    """Where a missed pass was lost, from the traces of the tracks on it (same frames, same height)."""
    on = [t for t in tracks if t["first_frame"] <= p["end"] and p["start"] <= t["last_frame"]
          and abs(t["centre_y"] - (p["y"] + p["size"] / 2)) < p["size"] / 2]
    if not on:
        return "never detected"
    if any(t["matched"] for t in on):
        return "matched another subject"
    if sum(t["second_looks"] for t in on):
        return "second look too far"
    if sum(t["embedded"] for t in on):
        return "first look too far"
    rejections = {}
    for t in on:
        for reason, n in t["quality_rejections"].items():
            rejections[reason] = rejections.get(reason, 0) + n
    if rejections:
        return "quality gate: " + max(rejections, key=rejections.get)
    return "not embedded"


class Score:
    """Alerts against a clip's truth, as ../shared/tools/walkpast/score.py attributes them: an alert
    counts for an enrolled pass when its subject is that identity and its frame lies in the pass
    (5 frames before to 25 after); every other alert is a false alert."""

    def __init__(self, truth=None, alerts=(), tracks=None):
        self.enrolled = self.found = self.strangers = self.false = self.hit_alerts = 0
        self.by_condition = {c: [0, 0] for c in CONDITIONS}
        self.lost = {}
        if truth is None:
            return
        passes = truth["passes"]
        crowd = overlapping(passes)
        hits = {}
        for alert in alerts:
            frame, subject = int(alert["frame"]), str(alert["subject"])
            match = [p for p in passes if p["enrolled"] and p["identity"] == subject and p["start"] - 5 <= frame <= p["end"] + 25]
            if match:
                hits[subject] = hits.get(subject, 0) + 1
            else:
                self.false += 1
        for p in passes:
            if not p["enrolled"]:
                self.strangers += 1
                continue
            self.enrolled += 1
            found = p["identity"] in hits
            self.found += found
            if not found and tracks is not None:
                where = lost_at(p, tracks)
                self.lost[where] = self.lost.get(where, 0) + 1
            for condition in [p["condition"]] + (["overlapping"] if p["identity"] in crowd else []):
                self.by_condition[condition][0] += found
                self.by_condition[condition][1] += 1
        self.hit_alerts = sum(hits.values())

    def __add__(self, other):
        s = Score()
        for f in ["enrolled", "found", "strangers", "false", "hit_alerts"]:
            setattr(s, f, getattr(self, f) + getattr(other, f))
        s.by_condition = {c: [self.by_condition[c][0] + other.by_condition[c][0], self.by_condition[c][1] + other.by_condition[c][1]]
                          for c in CONDITIONS}
        s.lost = {k: self.lost.get(k, 0) + other.lost.get(k, 0) for k in set(self.lost) | set(other.lost)}
        return s

    def line(self):
        lo, hi = wilson(self.found, self.enrolled)
        recall = self.found / max(1, self.enrolled)
        conditions = " ".join(f"{c} {k}/{n}" for c, (k, n) in self.by_condition.items() if n)
        return (f"recall {recall:.2f} [{lo:.2f}, {hi:.2f}] ({self.found}/{self.enrolled}; {conditions}); "
                f"false alerts {self.false} ({100 * self.false / max(1, self.strangers):.1f} per 100 stranger passes); "
                f"alerts per detected pass {self.hit_alerts / max(1, self.found):.2f}"
                + (f"; missed passes lost at: {', '.join(f'{k} {v}' for k, v in sorted(self.lost.items(), key=lambda kv: -kv[1]))}" if self.lost else ""))


def run(args, **kw):
    result = subprocess.run(args, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        sys.exit(f"pass benchmark: {' '.join(args[:3])} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def make_clip(a, seed):
    out = os.path.join(a.work, f"clip-seed{seed}-{a.enrolled}x{a.distractors}")
    if os.path.isdir(out) and not os.path.exists(os.path.join(out, "truth.json")):
        sys.exit(f"pass benchmark: {out} is incomplete (being made by another run, or an interrupted one): wait for it, or remove it")
    if not os.path.exists(os.path.join(out, "truth.json")):
        print(f"making clip seed {seed} ({a.enrolled} enrolled, {a.distractors} strangers) in {out}", file=sys.stderr)
        run([a.python, os.path.join(SHARED, "tools", "walkpast", "walkpast.py"), a.dataset, out, "--seed", str(seed),
             "--enrolled", str(a.enrolled), "--distractors", str(a.distractors)])
    return out


def cohort_folder(a, clip):
    """lfw_dev people with one photo who do not walk past in this clip: people not sought."""
    used = {p["identity"] for p in json.load(open(os.path.join(clip, "truth.json")))["passes"]}
    folder = os.path.join(clip, f"cohort-{a.cohort_size}")
    if not os.path.isdir(folder):
        os.makedirs(folder)
        count = 0
        for name in sorted(os.listdir(a.dataset)):
            photos = sorted(f for f in os.listdir(os.path.join(a.dataset, name)) if f.endswith(".jpg"))
            if name in used or len(photos) != 1:
                continue
            os.makedirs(os.path.join(folder, name))
            os.symlink(os.path.join(a.dataset, name, photos[0]), os.path.join(folder, name, photos[0]))
            count += 1
            if count == a.cohort_size:
                break
    return folder


def edge(a, clip, kind):
    """kind: none, faces or centroids (the cohort's faces, or centroids of --cohort-centroids people)."""
    prefix = {"none": "plain", "faces": "cohort", "centroids": f"centroids{a.cohort_centroids}"}[kind]
    cohort = [] if kind == "none" else ["--cohort-from", cohort_folder(a, clip)]
    if kind == "centroids":
        cohort += ["--cohort-centroids", str(a.cohort_centroids)]
    watchlist = os.path.join(clip, f"{prefix}-face-{a.enrol_face}.watchlist")
    if not os.path.exists(watchlist):
        enrol = run([os.path.join(a.bin, "edge-node"), "enrol", "--from", os.path.join(clip, "enrol"), "--out", watchlist, "--allow-rejections",
                     "--face", a.enrol_face] + cohort + a.models)
        with open(watchlist + ".log", "w") as log:
            log.write(enrol.stderr)
    enrol_dir = os.path.join(clip, "enrol") + "/"
    refused = sum(1 for line in open(watchlist + ".log") if line.startswith("refused " + enrol_dir))
    # Every frame (not --realtime) a run is a function of the binary, the list and the clip: its
    # outputs are kept under the binary's hash, so that seeds run in parallel can be pooled later.
    key = f"{prefix}-{a.enrol_face}-{a.binary_hash}" + (f"-config{a.config_hash}" if a.config else "") + ("-realtime" if a.realtime else "")
    trace, report_path, alerts_path = (os.path.join(clip, f"{name}-{key}.{ext}") for name, ext in
                                       [("trace", "jsonl"), ("report", "json"), ("alerts", "jsonl")])
    if a.realtime or not os.path.exists(alerts_path):
        result = run([os.path.join(a.bin, "edge-node"), "run", "--source", os.path.join(clip, "walkpast.mp4"), "--watchlist", watchlist,
                      "--report", report_path, "--trace", trace, "--health-interval", "0"]
                     + (["--realtime"] if a.realtime else []) + (["--config", a.config] if a.config else []) + a.models)
        with open(alerts_path, "w") as f:
            f.write(result.stdout)
    alerts = [json.loads(line) for line in open(alerts_path) if line.startswith("{")]
    report = json.load(open(report_path))
    tracks = [json.loads(line) for line in open(trace)][1:]  # the first line holds the threshold
    return alerts, report, refused, tracks


def baseline(a, clip):
    path = os.path.join(clip, f"baseline-every{a.baseline_every}.jsonl")
    if not os.path.exists(path):
        print(f"running the face_recognition baseline on {clip} (every {a.baseline_every} frames)", file=sys.stderr)
        result = run([a.baseline_python, os.path.join(REPO, "Benchmarks", "baseline", "face_recognition_faces.py"),
                      os.path.join(clip, "walkpast.mp4"), os.path.join(clip, "enrol"), "--every", str(a.baseline_every)])
        with open(path, "w") as f:
            f.write(result.stdout)
    return [json.loads(line) for line in open(path) if line.startswith("{") and "distance" in line]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default=os.path.join(os.environ.get("WATCHPOST_DATASETS", os.path.join(SHARED, "datasets")), "lfw_dev"))
    ap.add_argument("--work", default=os.environ.get("WATCHPOST_PASS_WORK", "/tmp/watchpost-pass"),
                    help="where clips are made and kept (outside the repository: they are made from research photos)")
    ap.add_argument("--seeds", default="11,12,13")
    ap.add_argument("--enrolled", type=int, default=40)
    ap.add_argument("--distractors", type=int, default=80)
    ap.add_argument("--cohort-size", type=int, default=1260)
    ap.add_argument("--cohorts", default="none,faces",
                    help="which lists to run: none (no cohort), faces (the cohort's faces), centroids (centroids of the cohort)")
    ap.add_argument("--cohort-centroids", type=int, default=5, help="people per centroid for --cohorts centroids")
    ap.add_argument("--realtime", action="store_true", help="pace the clip as a live camera and drop frames when behind")
    ap.add_argument("--enrol-face", default="central", choices=["only", "largest", "central"],
                    help="edge-node enrol --face: which face of an enrolment photo with several (lfw_dev's subjects are central)")
    ap.add_argument("--config", help="an edge-node config file for every run (e.g. to try other embedding or matching settings)")
    ap.add_argument("--bin", default=os.path.join(REPO, ".build", "release"))
    ap.add_argument("--models", default=os.environ.get("WATCHPOST_MODELS", os.path.join(REPO, "models")))
    ap.add_argument("--python", default=os.path.join(REPO, ".venv-baseline", "bin", "python"),
                    help="a Python with numpy and Pillow, for walkpast.py (the baseline's venv has both)")
    ap.add_argument("--baseline-python", default=os.path.join(REPO, ".venv-baseline", "bin", "python"))
    ap.add_argument("--baseline-every", type=int, default=5)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    a = ap.parse_args()
    if not os.path.isdir(a.dataset):
        print(f"pass benchmark: skipped: {a.dataset} is absent (set WATCHPOST_DATASETS to the folder holding lfw_dev)", file=sys.stderr)
        return 0
    for exe in ["edge-node"]:
        if not os.access(os.path.join(a.bin, exe), os.X_OK):
            sys.exit(f"pass benchmark: {a.bin}/{exe} is missing: run swift build -c release")
    if not os.access(a.python, os.X_OK):
        sys.exit(f"pass benchmark: {a.python} is missing: run scripts/setup-baseline.sh (walkpast.py needs numpy and Pillow)")
    a.models = ["--models", a.models]
    with open(os.path.join(a.bin, "edge-node"), "rb") as f:
        a.binary_hash = hashlib.sha256(f.read()).hexdigest()[:12]
    if a.config:
        a.config = os.path.abspath(a.config)
        with open(a.config, "rb") as f:
            a.config_hash = hashlib.sha256(f.read()).hexdigest()[:12]
    os.makedirs(a.work, exist_ok=True)
    seeds = [int(s) for s in a.seeds.split(",")]
    clips = [make_clip(a, s) for s in seeds]
    figures = {"clips": {}, "pooled": {}}
    names = {"none": "no cohort", "faces": f"cohort of {a.cohort_size}",
             "centroids": f"cohort of {a.cohort_size} as centroids of {a.cohort_centroids}"}
    kinds = a.cohorts.split(",")
    if not kinds or any(k not in names for k in kinds):
        sys.exit(f"pass benchmark: --cohorts {a.cohorts}: use a comma-separated list of none, faces, centroids")
    pooled = {names[k]: Score() for k in kinds}
    base_faces = {}
    print(f"pass benchmark: {len(clips)} clip(s) of {a.enrolled} enrolled and {a.distractors} stranger passes, "
          f"{'realtime' if a.realtime else 'every frame'}, lfw_dev")
    for seed, clip in zip(seeds, clips):
        truth = json.load(open(os.path.join(clip, "truth.json")))
        for kind in kinds:
            name = names[kind]
            alerts, report, refused, tracks = edge(a, clip, kind)
            score = Score(truth, alerts, tracks)
            pooled[name] += score
            print(f"seed {seed}, {name}: {score.line()}; {refused} enrolment photo(s) refused; "
                  f"{report.get('frames_processed')} frames at {report.get('frames_per_second', 0):.1f} fps, {report.get('frames_dropped')} dropped, "
                  f"{report.get('repeat_alerts_suppressed', 0)} repeat alert(s) held back")
            figures["clips"].setdefault(str(seed), {})[name] = vars(score)
        if not a.no_baseline:
            base_faces[seed] = (truth, baseline(a, clip))
    for name, score in pooled.items():
        print(f"pooled, {name}: {score.line()}")
        figures["pooled"][name] = vars(score)
    if base_faces:
        def at(tolerance):
            total = Score()
            for truth, faces in base_faces.values():
                total += Score(truth, [f for f in faces if f["distance"] <= tolerance])
            return total
        print(f"pooled, face_recognition every {a.baseline_every} frames at 0.60: {at(0.6).line()}")
        figures["pooled"]["face_recognition 0.60"] = vars(at(0.6))
        ours = min(score.false for score in pooled.values())
        grid = [t / 100 for t in range(30, 61)]
        equal = max((t for t in grid if at(t).false <= ours), default=None)
        if equal is not None:
            print(f"pooled, face_recognition at {equal:.2f} (its false alerts <= our fewest, {ours}): {at(equal).line()}")
            figures["pooled"][f"face_recognition {equal:.2f}"] = vars(at(equal))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(figures, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
