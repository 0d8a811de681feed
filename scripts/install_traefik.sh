#!/usr/bin/env bash
# Provide a real traefik v3 binary for the dev runner and the tests.
#
# Prints the absolute path of a usable traefik binary as the LAST line on
# stdout; all progress goes to stderr, so callers can do:
#     TRAEFIK="$(scripts/install_traefik.sh | tail -n 1)"
#
# Sources, first usable one wins:
#   0. $TRAEFIK_BIN, if set (explicit override; must be executable).
#   1. `traefik` on PATH, if it reports the pinned major.minor.
#   2. The per-user cache (outside the checkout, so fresh clones reuse it):
#        ${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/traefik/<version>/traefik
#   3. The pinned official release tarball (linux amd64/arm64), verified against
#      its published sha256 checksums file: seconds, on a machine that can reach
#      GitHub's release downloads. Short timeouts, so a machine that cannot
#      fails fast and falls through to 4.
#   4. A build of the pinned Go module version, fetched through the Go module
#      proxy: about 10 minutes on 2 cores, once; needs Go >= 1.25 on PATH. This is
#      what a machine without access to the release downloads gets.
# Whichever of 3-4 succeeds fills the cache, so every later call is step 2.
# Steps 3-4 run under flock on the cache dir so concurrent callers build once.
set -euo pipefail

# Pinned version, chosen from `go list -m -versions github.com/traefik/traefik/v3`.
# Not v3.7.x: those replace a nested module (github.com/traefik/traefik/dynamic/ext)
# that the module zip leaves out, and some of their dependencies are not on the
# public Go module proxy, so step 4 could not build them.
# v3.6.12 builds with Go >= 1.25. A build from source has no web dashboard
# assets (the API works; set api.dashboard=false to avoid an error log line).
readonly TRAEFIK_VERSION="v3.6.12"
readonly TRAEFIK_MODULE="github.com/traefik/traefik/v3"
readonly RELEASE_BASE_URL="https://github.com/traefik/traefik/releases/download"
# Seconds; kept small because the download is expected to fail offline.
readonly DOWNLOAD_TIMEOUT="${TRAEFIK_DOWNLOAD_TIMEOUT:-20}"
# Seconds to wait for another caller's build before giving up.
readonly LOCK_TIMEOUT="${TRAEFIK_LOCK_TIMEOUT:-1800}"

CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/traefik/${TRAEFIK_VERSION}"
readonly CACHE_DIR
readonly CACHED_BIN="${CACHE_DIR}/traefik"

log() { printf 'install_traefik: %s\n' "$*" >&2; }

# Milliseconds since the epoch, for step timings in the log.
now_ms() { printf '%s' "$(( ${EPOCHREALTIME//[.,]/} / 1000 ))"; }

log_elapsed() { # <label> <start_ms>
  log "$1 ($(( $(now_ms) - $2 )) ms)"
}

# "v3.7.13" or "3.7.13" -> "3.7"
major_minor() {
  local v="${1#v}"
  printf '%s' "${v%.*}"
}

# The version a binary reports via `traefik version` ("Version: 3.7.13").
reported_version() {
  "$1" version 2>/dev/null | awk '$1 == "Version:" { print $2; exit }'
}

# True when the binary runs and reports the pinned major.minor.
# Official releases print "3.7.13"; go-built ones get the same via -ldflags.
is_pinned_traefik() {
  local bin="$1" got
  [[ -x "$bin" ]] || return 1
  got="$(reported_version "$bin")" || return 1
  [[ -n "$got" ]] || return 1
  [[ "$(major_minor "$got")" == "$(major_minor "$TRAEFIK_VERSION")" ]]
}

absolute_path() {
  case "$1" in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$PWD" "$1" ;;
  esac
}

# The one line callers read.
emit() {
  printf '%s\n' "$(absolute_path "$1")"
}

from_override() {
  [[ -n "${TRAEFIK_BIN:-}" ]] || return 1
  if [[ ! -x "$TRAEFIK_BIN" ]]; then
    # An explicit override that is wrong should not silently be ignored.
    log "TRAEFIK_BIN=$TRAEFIK_BIN is not an executable file"
    exit 1
  fi
  log "using TRAEFIK_BIN override"
  emit "$TRAEFIK_BIN"
}

from_path() {
  local start bin
  start="$(now_ms)"
  bin="$(command -v traefik 2>/dev/null)" || {
    log_elapsed "no traefik on PATH" "$start"
    return 1
  }
  if is_pinned_traefik "$bin"; then
    log_elapsed "using traefik on PATH: $bin" "$start"
    emit "$bin"
    return 0
  fi
  log_elapsed "traefik on PATH ($bin) is not v$(major_minor "$TRAEFIK_VERSION").x; ignoring it" "$start"
  return 1
}

from_cache() {
  local start
  start="$(now_ms)"
  if is_pinned_traefik "$CACHED_BIN"; then
    log_elapsed "using cached $CACHED_BIN" "$start"
    emit "$CACHED_BIN"
    return 0
  fi
  return 1
}

# linux/amd64 and linux/arm64 are the only release assets we fetch.
release_platform() {
  local os arch
  os="$(uname -s | tr '[:upper:]' '[:lower:]')"
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) return 1 ;;
  esac
  [[ "$os" == linux ]] || return 1
  printf '%s_%s' "$os" "$arch"
}

fetch() { # <url> <dest>
  curl --fail --silent --show-error --location \
    --connect-timeout 5 --max-time "$DOWNLOAD_TIMEOUT" \
    --output "$2" "$1"
}

# Downloads, verifies and unpacks the release into <staging>/traefik.
# Called in an `||` context, where `set -e` is off: every step checks itself.
download_release() { # <staging dir>
  local staging="$1" platform tarball base
  platform="$(release_platform)" || { log "no release asset for $(uname -s)/$(uname -m)"; return 1; }
  tarball="traefik_${TRAEFIK_VERSION}_${platform}.tar.gz"
  base="${RELEASE_BASE_URL}/${TRAEFIK_VERSION}"

  fetch "${base}/${tarball}" "${staging}/${tarball}" || return 1
  fetch "${base}/traefik_${TRAEFIK_VERSION}_checksums.txt" "${staging}/checksums.txt" || return 1
  # Check only our tarball's line; refuse if the checksums file lacks it.
  grep -E "[[:space:]]\*?${tarball}\$" "${staging}/checksums.txt" >"${staging}/ours.sha256" || {
    log "checksums file has no entry for $tarball"
    return 1
  }
  (cd "$staging" && sha256sum --check --strict --quiet ours.sha256) >&2 || {
    log "checksum mismatch for $tarball"
    return 1
  }
  tar -xzf "${staging}/${tarball}" -C "$staging" traefik || return 1
}

# Prints the module-cache directory holding the pinned traefik source,
# fetching it through the Go module proxy (checked against sum.golang.org).
module_source_dir() {
  (cd / && GOWORK=off go mod download -json "${TRAEFIK_MODULE}@${TRAEFIK_VERSION}") |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

# Builds the pinned module version into <staging>/traefik.
# `go install .../cmd/traefik@vX` is refused because traefik's go.mod has
# replace directives (one of them a relative path), which Go only honours in
# the main module. So build a writable copy of the module source as the main
# module, which also pins every dependency to traefik's own go.sum.
build_from_module() { # <staging dir>
  local staging="$1" src ldflags pkg="${TRAEFIK_MODULE}/pkg/version"
  command -v go >/dev/null || { log "go is not installed"; return 1; }
  src="$(module_source_dir)" || return 1
  [[ -f "${src}/go.mod" ]] || { log "could not fetch ${TRAEFIK_MODULE}@${TRAEFIK_VERSION}"; return 1; }
  # The module cache is read-only; Go may need to touch go.sum.
  cp -R "${src}" "${staging}/src" || return 1
  chmod -R u+w "${staging}/src" || return 1
  # Stamp the version the way release builds do (without the "v"), so
  # `traefik version` (and is_pinned_traefik) sees 3.x.y, not "dev".
  ldflags="-s -w -X ${pkg}.Version=${TRAEFIK_VERSION#v} -X ${pkg}.BuildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  # -buildvcs=false: the copy may sit inside someone's git checkout.
  (
    cd "${staging}/src" &&
      CGO_ENABLED=0 GOWORK=off \
        go build -trimpath -buildvcs=false -ldflags "${ldflags}" \
        -o "${staging}/traefik" ./cmd/traefik
  ) >&2 || return 1
}

# Moves a verified staged binary into the cache atomically (same filesystem).
promote() { # <staged binary>
  if ! is_pinned_traefik "$1"; then
    log "staged binary $1 does not report v$(major_minor "$TRAEFIK_VERSION").x"
    return 1
  fi
  chmod 0755 "$1"
  mv -f "$1" "$CACHED_BIN"
}

# Tries one provisioning step in a fresh staging dir, cleaning up either way.
provision_with() { # <label> <function>
  local label="$1" step="$2" staging start rc=0
  staging="$(mktemp -d "${CACHE_DIR}/.staging.XXXXXX")" || return 1
  start="$(now_ms)"
  log "$label ..."
  if "$step" "$staging" && promote "${staging}/traefik"; then
    log_elapsed "$label: done" "$start"
  else
    log_elapsed "$label: failed" "$start"
    rc=1
  fi
  rm -rf "$staging"
  return "$rc"
}

provision_locked() {
  local lock_fd
  mkdir -p "$CACHE_DIR"
  exec {lock_fd}>"${CACHE_DIR}/.lock"
  log "waiting for lock ${CACHE_DIR}/.lock (up to ${LOCK_TIMEOUT}s)"
  flock --wait "$LOCK_TIMEOUT" "$lock_fd" || { log "timed out waiting for lock"; return 1; }
  # Another caller may have finished while we waited.
  from_cache && return 0
  if provision_with "downloading release ${TRAEFIK_VERSION}" download_release ||
    provision_with "building ${TRAEFIK_MODULE}@${TRAEFIK_VERSION} with $(go version 2>/dev/null || echo 'no go')" build_from_module; then
    emit "$CACHED_BIN"
    return 0
  fi
  return 1
}

main() {
  from_override && return 0
  from_path && return 0
  from_cache && return 0
  provision_locked && return 0
  log "could not provide traefik ${TRAEFIK_VERSION}"
  return 1
}

main "$@"
