#!/usr/bin/env bash
# Installs Watchpost on this machine, as root: the release binaries (built if needed), the
# models, the systemd units, example configs, the service user and the state folders with their
# permissions, and the coordinator's and the node's CURVE keys. Never overwrites a config or a
# key that exists; a second run changes nothing that is there.
#
#   WATCHPOST_ROOT  install under this folder instead of / (for checking the install; no user is made)
#   WATCHPOST_BIN   take the release binaries from this folder instead of building them
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${WATCHPOST_ROOT:-/}
root=${root%/}
say() { printf 'install: %s\n' "$*" >&2; }
die() { printf 'install: error: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || [ -n "$root" ] || die "run as root (or set WATCHPOST_ROOT to check the install under a folder)"

cd "$repo"
scripts/setup.sh
if [ -n "${WATCHPOST_BIN:-}" ]; then
  bin=$WATCHPOST_BIN
else
  command -v swift >/dev/null || { [ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH; } \
    || die "swift not found: install Swift 6 and put it on the PATH"
  swift build -c release --product coordinator
  swift build -c release --product edge-node
  bin=$(swift build -c release --show-bin-path)
fi
for b in coordinator edge-node; do [ -x "$bin/$b" ] || die "$bin/$b is missing: build it with swift build -c release"; done

# The service user (only for a real install) and who owns what.
if [ -z "$root" ]; then
  id watchpost >/dev/null 2>&1 || { useradd --system --home-dir /var/lib/watchpost --shell /usr/sbin/nologin watchpost; say "created user watchpost"; }
  owner=watchpost:watchpost
else
  owner=$(id -u):$(id -g)
fi

install -d -m 0755 "$root/usr/local/bin" "$root/etc/systemd/system" "$root/var/lib/watchpost"
install -m 0755 "$bin/coordinator" "$bin/edge-node" "$root/usr/local/bin/"
# Models: what setup.sh verified against scripts/models.sha256, read-only for the service.
install -d -m 0755 "$root/var/lib/watchpost/models"
for m in models/*.onnx models/*.dat models/*.pb; do install -m 0644 "$m" "$root/var/lib/watchpost/models/"; done
install -m 0644 systemd/watchpost-coordinator.service systemd/watchpost-edge.service "$root/etc/systemd/system/"
# Configs are root-owned and readable by the service (the edge's names the trusted signers).
install -d -m 0750 -o "${owner%%:*}" -g "${owner##*:}" "$root/etc/watchpost" "$root/etc/watchpost/nodes"
[ -z "$root" ] && chown root:watchpost "$root/etc/watchpost" "$root/etc/watchpost/nodes"
for pair in coordinator.example.json:coordinator.json edge-node.serve.example.json:edge.json; do
  from=config/${pair%%:*} to=$root/etc/watchpost/${pair##*:}
  if [ -e "$to" ]; then say "kept $to"; else install -m 0640 "$from" "$to"; say "installed $to: edit it before starting"; fi
  [ -z "$root" ] && chown root:watchpost "$to"
done
# State folders: the service's alone.
install -d -m 0700 -o "${owner%%:*}" -g "${owner##*:}" "$root/var/lib/watchpost/coordinator" "$root/var/lib/watchpost/edge"
# Keys, made once (0600, owned by the service that reads them; never overwritten).
if [ ! -e "$root/etc/watchpost/coordinator.curve" ]; then
  "$root/usr/local/bin/coordinator" keys new-curve --out "$root/etc/watchpost/coordinator.curve" >&2
  chown "$owner" "$root/etc/watchpost/coordinator.curve"
fi
# The audit signing key: root's alone, handed to the running service as a systemd credential
# (LoadCredential=), so that the service user, who owns the database, cannot read it at rest.
install -d -m 0700 "$root/etc/watchpost/credentials"
if [ ! -e "$root/etc/watchpost/credentials/audit-signing.key" ]; then
  "$root/usr/local/bin/coordinator" keys new-signer --out "$root/etc/watchpost/credentials/audit-signing.key" >&2
fi
if [ ! -e "$root/etc/watchpost/node.curve" ]; then
  "$root/usr/local/bin/edge-node" keys new --out "$root/etc/watchpost/node.curve" >&2
  chown "$owner" "$root/etc/watchpost/node.curve"
fi
if [ -z "$root" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
say "done. Next: edit /etc/watchpost/*.json, add users (coordinator users add), then systemctl enable --now watchpost-coordinator (or watchpost-edge)"
