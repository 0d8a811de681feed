#!/usr/bin/env bash
# Provide the pinned kustomize for `make test-deploy` (it renders k8s/overlays/*).
#
# Prints the absolute path of a usable kustomize binary as the LAST line on stdout; all
# progress goes to stderr, so callers can do:
#     KUSTOMIZE="$(scripts/install_kustomize.sh | tail -n 1)"
#
# Sources, first usable one wins:
#   0. $KUSTOMIZE_BIN, if set (explicit override; must be executable).
#   1. `kustomize` on PATH, if it reports the pinned version.
#   2. The per-user cache (outside the checkout, so fresh clones reuse it):
#        ${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/kustomize/<version>/kustomize
#   3. `go install` of the pinned Go module version through the Go module proxy, checked
#      against Go's checksum database: about 30 s on 2 cores, once, and it needs a Go on
#      PATH as new as the module asks for. The result fills the cache, so every later
#      call is step 2. Runs under flock so concurrent callers build once.
set -euo pipefail

# v5.8.1: its kustomize/api v0.20.1 asks for Go 1.22.7, so an older distribution Go
# builds it too; v5.8.3 wants kustomize/api v0.21.3, which asks for a newer Go.
readonly KUSTOMIZE_VERSION="v5.8.1"
readonly KUSTOMIZE_MODULE="sigs.k8s.io/kustomize/kustomize/v5"
readonly LOCK_TIMEOUT="${KUSTOMIZE_LOCK_TIMEOUT:-600}"

CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/kustomize/${KUSTOMIZE_VERSION}"
readonly CACHE_DIR
readonly CACHED_BIN="${CACHE_DIR}/kustomize"

log() { printf 'install_kustomize: %s\n' "$*" >&2; }

# `kustomize version` prints "v5.8.1" (go install stamps the module version).
is_pinned_kustomize() {
  local bin="$1" got
  [[ -x "$bin" ]] || return 1
  got="$("$bin" version 2>/dev/null | head -n 1)" || return 1
  [[ "$got" == "$KUSTOMIZE_VERSION" || "$got" == *"/${KUSTOMIZE_VERSION}" ]]
}

emit() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

from_override() {
  [[ -n "${KUSTOMIZE_BIN:-}" ]] || return 1
  if [[ ! -x "$KUSTOMIZE_BIN" ]]; then
    log "KUSTOMIZE_BIN=$KUSTOMIZE_BIN is not an executable file"
    exit 1
  fi
  log "using KUSTOMIZE_BIN override"
  emit "$KUSTOMIZE_BIN"
}

from_path() {
  local bin
  bin="$(command -v kustomize 2>/dev/null)" || return 1
  is_pinned_kustomize "$bin" || { log "kustomize on PATH ($bin) is not ${KUSTOMIZE_VERSION}; ignoring it"; return 1; }
  log "using kustomize on PATH: $bin"
  emit "$bin"
}

from_cache() {
  is_pinned_kustomize "$CACHED_BIN" || return 1
  log "using cached $CACHED_BIN"
  emit "$CACHED_BIN"
}

build_into_cache() {
  local staging start
  command -v go >/dev/null || { log "go is not installed: cannot build kustomize"; return 1; }
  staging="$(mktemp -d "${CACHE_DIR}/.staging.XXXXXX")"
  start="$SECONDS"
  log "go install ${KUSTOMIZE_MODULE}@${KUSTOMIZE_VERSION} with $(go version) ..."
  # GOTOOLCHAIN=local: fail rather than fetch another Go; GOWORK=off: ignore any go.work.
  if (cd / && CGO_ENABLED=0 GOWORK=off GOTOOLCHAIN=local GOBIN="$staging" \
      go install -trimpath -ldflags "-s -w" "${KUSTOMIZE_MODULE}@${KUSTOMIZE_VERSION}") >&2 &&
    is_pinned_kustomize "${staging}/kustomize"; then
    mv -f "${staging}/kustomize" "$CACHED_BIN"
    rm -rf "$staging"
    log "built in $((SECONDS - start)) s"
    return 0
  fi
  rm -rf "$staging"
  log "go install failed after $((SECONDS - start)) s"
  return 1
}

provision_locked() {
  local lock_fd
  mkdir -p "$CACHE_DIR"
  exec {lock_fd}>"${CACHE_DIR}/.lock"
  flock --wait "$LOCK_TIMEOUT" "$lock_fd" || { log "timed out waiting for ${CACHE_DIR}/.lock"; return 1; }
  # Another caller may have finished while we waited.
  from_cache && return 0
  build_into_cache && emit "$CACHED_BIN"
}

main() {
  from_override && return 0
  from_path && return 0
  from_cache && return 0
  provision_locked && return 0
  log "could not provide kustomize ${KUSTOMIZE_VERSION}"
  return 1
}

main "$@"
