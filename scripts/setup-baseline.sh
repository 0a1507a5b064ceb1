#!/usr/bin/env bash
# Installs the comparison baseline for the benchmarks: Python face_recognition 1.3.0 (HOG + dlib
# ResNet) with dlib-bin and opencv-python-headless, in .venv-baseline. Pinned; idempotent.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=$repo/.venv-baseline
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import face_recognition, cv2" 2>/dev/null; then
  echo "setup-baseline: present in $venv" >&2; exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  dlib-bin==19.24.6 numpy==2.1.3 Pillow==11.0.0 Click==8.1.7 opencv-python-headless==4.10.0.84 \
  face_recognition_models==0.3.0 \
  || { echo "setup-baseline: pip install failed: is PyPI reachable?" >&2; exit 1; }
# face_recognition declares a dependency on the dlib sources; dlib-bin provides the same module prebuilt.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps face_recognition==1.3.0
"$venv/bin/python" -c "import face_recognition, cv2" && echo "setup-baseline: ready in $venv" >&2
