# Shared by the scripts in this folder: where the environments live and how to run in them.
# shellcheck shell=bash
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${HP_EWS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hp_ews}"
# Pinned test environments (see README "Development").
NEWEST_PHCC="0.13.375"   # Home Assistant 2026.10.4, Python >= 3.14.2
OLDEST_PHCC="0.13.236"   # Home Assistant 2025.4.4, Python 3.13
OLDEST_VENV="$CACHE/venv-oldest"
ROOTFS="$CACHE/rootfs-sid-py314"
STAMP_VERSION="3"        # bump when the requirements below change
NATIVE_VENV="$CACHE/venv-ha2026.10-py314"
# The third environment: the newest Home Assistant release, for the smoke test (smoke/). setup
# resolves "newest" and pins it in this lock file; the environment is rebuilt when it changes.
LATEST_LOCK="$REPO/scripts/ha-latest.lock"
LATEST_NATIVE_VENV="$CACHE/venv-ha-latest-py314"
LATEST_ROOTFS_VENV="/opt/venv-latest"   # inside the root filesystem, beside /opt/venv
LATEST_MAX_AGE_MIN=1440                  # look for a newer release at most once a day

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The newest environment: a native python3.14 >= 3.14.2 if PATH has one, else a Debian sid
# root filesystem that carries it (the host's glibc is too old for sid's python3.14).
native_py314() {
  local py
  py="$(command -v python3.14 || true)"
  [ -n "$py" ] || return 1
  "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' || return 1
  echo "$py"
}

newest_mode() {
  if [ -n "${HP_EWS_FORCE_ROOTFS:-}" ]; then echo rootfs; return; fi
  if native_py314 >/dev/null; then echo native; else echo rootfs; fi
}

# Where a command runs: the caller's directory when it is inside the repository, else the root.
workdir() {
  case "$PWD/" in "$REPO"/*) echo "$PWD" ;; *) echo "$REPO" ;; esac
}

# Run a command with the newest environment's python first on PATH and the repository importable.
run_newest() { run_py314 run "$NATIVE_VENV" /opt/venv "$@"; }
# The same for the newest Home Assistant release (smoke test).
run_latest() { run_py314 run "$LATEST_NATIVE_VENV" "$LATEST_ROOTFS_VENV" "$@"; }
# exec_newest/exec_latest/exec_oldest: the same, but the calling shell is replaced by the command
# (same PID), so a signal sent to the script (a supervisor, a CI timeout, Ctrl-C) reaches the
# program and nothing is left running. Only as a script's last command, or after `&`.
exec_newest() { run_py314 exec "$NATIVE_VENV" /opt/venv "$@"; }
exec_latest() { run_py314 exec "$LATEST_NATIVE_VENV" "$LATEST_ROOTFS_VENV" "$@"; }

# The latest environment's directory as seen from the host.
latest_venv() {
  if [ "$(newest_mode)" = native ]; then echo "$LATEST_NATIVE_VENV"; else echo "$ROOTFS$LATEST_ROOTFS_VENV"; fi
}
# What the latest environment must hold: the locked release and the integration's requirements.
latest_wanted() {
  grep -v '^#' "$LATEST_LOCK"
  python3 -c 'import json, sys; print(*json.load(open(sys.argv[1]))["requirements"], sep="\n")' \
    "$REPO/custom_components/hp_ews/manifest.json"
}

# run_py314 run|exec NATIVE_VENV ROOTFS_VENV CMD...: run CMD with that venv's bin first on PATH;
# with exec the shell becomes CMD. unshare (without --fork), sh, chroot and env all exec in turn.
run_py314() {
  local wd how="$1" native_venv="$2" rootfs_venv="$3"
  shift 3
  wd="$(workdir)"
  if [ "$(newest_mode)" = native ]; then
    if [ "$how" = exec ]; then
      cd "$wd"
      PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" PATH="$native_venv/bin:$PATH" exec "$@"
    fi
    (cd "$wd" && PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" PATH="$native_venv/bin:$PATH" "$@")
  else
    # A private mount namespace: the bind mounts vanish when the command ends. The repository is
    # mounted at the same path inside, so paths inside it mean the same thing on both sides.
    local cmd passenv=() v
    cmd="$(printf '%q ' "$@")"
    for v in CI TERM COLUMNS PYTEST_ADDOPTS $(compgen -v | grep '^HP_EWS_' || true); do
      [ -n "${!v+x}" ] && passenv+=("$v=${!v}")
    done
    local launch=()
    if [ "$how" = exec ]; then launch=(exec); fi
    "${launch[@]}" unshare -m --propagation private sh -c '
      set -e
      root="$1"; repo="$2"; wd="$3"; venv="$4"; cmd="$5"; shift 5
      mkdir -p "$root/proc" "$root/dev" "$root/tmp"
      mount -t proc proc "$root/proc"
      mount --rbind /dev "$root/dev"
      mount -t tmpfs tmpfs "$root/tmp"
      # After the tmpfs: a checkout under /tmp must not be hidden by it.
      mkdir -p "$root$repo"
      mount --bind "$repo" "$root$repo"
      cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
      exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PYTHONPATH="$repo" \
        SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
        PATH="$venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$@" \
        sh -c "cd \"$wd\" && exec $cmd"
    ' sh "$ROOTFS" "$REPO" "$wd" "$rootfs_venv" "$cmd" "${passenv[@]}"
  fi
}

run_oldest() {
  (cd "$(workdir)" && PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" PATH="$OLDEST_VENV/bin:$PATH" "$@")
}
exec_oldest() {
  cd "$(workdir)"
  PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" PATH="$OLDEST_VENV/bin:$PATH" exec "$@"
}

# needs_setup [--latest]: whether scripts/setup must run first (--latest: the smoke test's
# environment too, which scripts/python and scripts/develop do not need).
needs_setup() {
  if [ "${1:-}" = --latest ]; then
    [ -n "$(find "$CACHE/ha-latest.checked" -mmin "-$LATEST_MAX_AGE_MIN" 2>/dev/null)" ] || return 0
    [ "$(latest_wanted)" = "$(cat "$(latest_venv)/.ha-latest.installed" 2>/dev/null)" ] || return 0
  fi
  [ -f "$CACHE/setup.$STAMP_VERSION.done" ] || return 0
  [ "$(cat "$CACHE/setup.$STAMP_VERSION.done")" = "$(newest_mode)" ] || return 0
  # requirements_test.txt changed since the environments were made
  cmp -s "$REPO/requirements_test.txt" "$OLDEST_VENV/.requirements_test.txt" || return 0
  if [ "$(newest_mode)" = native ]; then
    cmp -s "$REPO/requirements_test.txt" "$NATIVE_VENV/.requirements_test.txt" || return 0
  else
    cmp -s "$REPO/requirements_test.txt" "$ROOTFS/opt/venv/.requirements_test.txt" || return 0
  fi
  return 1
}
