#!/usr/bin/env bash
# Provide a real Kubernetes control plane for the cluster suite and the
# documented deploy: kube-apiserver, kube-controller-manager and kubectl built
# from the pinned k8s.io/kubernetes Go module, and etcd from Debian.
#
# Prints the absolute path of a directory holding `kube-apiserver`,
# `kube-controller-manager`, `kubectl` and `etcd` as the LAST line on stdout;
# all progress goes to stderr, so callers can do:
#     KUBE_BIN_DIR="$(scripts/install_kubernetes.sh | tail -n 1)"
#
# The three Kubernetes binaries are built once per machine into
#     ${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/kubernetes/<version>/
# (outside the checkout, so fresh clones reuse it), under flock so concurrent
# callers build once. A cold build takes several minutes on 2 cores.
#
# kubectl is built too rather than taken from PATH: kubectl supports only one
# minor version of skew against the API server, and a kubectl of the same
# release cannot drift from the one the suite was written against.
#
# etcd: `etcd` on PATH if present, else Debian's `etcd-server` package
# (apt-get, as root or through sudo).
set -euo pipefail

# Pinned release. k8s.io/kubernetes v1.X.Y ships its staging modules
# (k8s.io/api, client-go, ...) as k8s.io/* v0.X.Y.
readonly KUBERNETES_VERSION="v1.34.3"
readonly KUBERNETES_MODULE="k8s.io/kubernetes"
readonly COMMANDS=(kube-apiserver kube-controller-manager kubectl)
# Seconds to wait for another caller's build before giving up.
readonly LOCK_TIMEOUT="${KUBERNETES_LOCK_TIMEOUT:-3600}"

CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/kubernetes/${KUBERNETES_VERSION}"
readonly CACHE_DIR

log() { printf 'install_kubernetes: %s\n' "$*" >&2; }

now_ms() { printf '%s' "$(( ${EPOCHREALTIME//[.,]/} / 1000 ))"; }

log_elapsed() { # <label> <start_ms>
  log "$1 ($(( $(now_ms) - $2 )) ms)"
}

# "v1.34.3" -> "v0.34.3": the published version of the staging modules.
staging_version() {
  local v="${KUBERNETES_VERSION#v1.}"
  printf 'v0.%s' "$v"
}

# True when <bin> runs and reports the pinned version. Each command prints
# its version differently; all contain the gitVersion we stamp at build time.
reports_pinned() { # <bin> <command>
  local bin="$1" cmd="$2" out
  [[ -x "$bin" ]] || return 1
  case "$cmd" in
    kubectl) out="$("$bin" version --client 2>/dev/null)" || return 1 ;;
    *) out="$("$bin" --version 2>/dev/null)" || return 1 ;;
  esac
  grep -qF "$KUBERNETES_VERSION" <<<"$out"
}

cache_is_complete() {
  local cmd
  for cmd in "${COMMANDS[@]}"; do
    reports_pinned "${CACHE_DIR}/${cmd}" "$cmd" || return 1
  done
}

# The go.mod of a throwaway main module that requires k8s.io/kubernetes and
# points every staging module at its published release. Kubernetes' own go.mod
# replaces them with ./staging/..., which the module zip leaves out and which
# Go ignores outside the main module anyway.
write_build_module() { # <dir>
  local dir="$1" gomod module
  gomod="$(cd / && GOWORK=off go mod download -json "${KUBERNETES_MODULE}@${KUBERNETES_VERSION}" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')" || return 1
  [[ -f "$gomod" ]] || { log "could not fetch ${KUBERNETES_MODULE}@${KUBERNETES_VERSION}"; return 1; }
  {
    printf 'module todo-platform/kubernetes-build\n\n'
    # The Go version Kubernetes asks for.
    grep -m1 '^go ' "$gomod"
    printf '\nrequire %s %s\n\nreplace (\n' "$KUBERNETES_MODULE" "$KUBERNETES_VERSION"
    # Each "k8s.io/x => ./staging/src/k8s.io/x" line of the replace block.
    for module in $(awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$gomod"); do
      printf '\t%s => %s %s\n' "$module" "$module" "$(staging_version)"
    done
    printf ')\n'
  } >"${dir}/go.mod"
}

build() { # <staging dir>
  local staging="$1" version_pkg="k8s.io/component-base/version" ldflags cmd pkgs=()
  command -v go >/dev/null || { log "go is not installed"; return 1; }
  write_build_module "$staging" || return 1
  # Stamp the version the way release builds do, so `--version`, kubectl's
  # skew check and the API server's /version report the real release.
  local minor="${KUBERNETES_VERSION#v1.}"
  minor="${minor%%.*}"
  ldflags="-s -w"
  ldflags+=" -X ${version_pkg}.gitVersion=${KUBERNETES_VERSION}"
  ldflags+=" -X ${version_pkg}.gitMajor=1 -X ${version_pkg}.gitMinor=${minor}"
  ldflags+=" -X ${version_pkg}.gitTreeState=clean"
  ldflags+=" -X ${version_pkg}.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=${KUBERNETES_VERSION}"
  for cmd in "${COMMANDS[@]}"; do pkgs+=("${KUBERNETES_MODULE}/cmd/${cmd}"); done
  mkdir -p "${staging}/bin"
  # -mod=mod records the go.sum entries the build needs (checked against the
  # checksum database); one `go build` compiles the shared packages once.
  (
    cd "$staging" &&
      CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=mod \
        go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "${staging}/bin/" "${pkgs[@]}"
  ) >&2 || return 1
}

promote() { # <staging dir>
  local cmd
  for cmd in "${COMMANDS[@]}"; do
    reports_pinned "${1}/bin/${cmd}" "$cmd" || {
      log "built ${cmd} does not report ${KUBERNETES_VERSION}"
      return 1
    }
  done
  for cmd in "${COMMANDS[@]}"; do
    chmod 0755 "${1}/bin/${cmd}"
    mv -f "${1}/bin/${cmd}" "${CACHE_DIR}/${cmd}"
  done
}

provision_locked() {
  local lock_fd staging start rc=0
  mkdir -p "$CACHE_DIR"
  exec {lock_fd}>"${CACHE_DIR}/.lock"
  log "waiting for lock ${CACHE_DIR}/.lock (up to ${LOCK_TIMEOUT}s)"
  flock --wait "$LOCK_TIMEOUT" "$lock_fd" || { log "timed out waiting for lock"; return 1; }
  # Another caller may have finished while we waited.
  cache_is_complete && return 0
  staging="$(mktemp -d "${CACHE_DIR}/.staging.XXXXXX")"
  start="$(now_ms)"
  log "building ${COMMANDS[*]} ${KUBERNETES_VERSION} with $(go version 2>/dev/null || echo 'no go') ..."
  if build "$staging" && promote "$staging"; then
    log_elapsed "build: done" "$start"
  else
    log_elapsed "build: failed" "$start"
    rc=1
  fi
  rm -rf "$staging"
  return "$rc"
}

provide_kubernetes() {
  local start
  start="$(now_ms)"
  if cache_is_complete; then
    log_elapsed "using cached ${CACHE_DIR}" "$start"
    return 0
  fi
  provision_locked
}

as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi
}

# Prints the path of an etcd binary, installing Debian's etcd-server if needed.
provide_etcd() {
  local bin
  if bin="$(command -v etcd)"; then
    log "using etcd on PATH: $bin"
    printf '%s' "$bin"
    return 0
  fi
  command -v apt-get >/dev/null || { log "no etcd on PATH and no apt-get to install etcd-server"; return 1; }
  log "installing Debian's etcd-server ..."
  # Where systemd runs, the package also starts a system-wide etcd on its
  # default ports; harmless here, as the suite starts its own on free ports.
  as_root apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends etcd-server >&2 ||
    { as_root apt-get -o DPkg::Lock::Timeout=600 update >&2 && as_root apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends etcd-server >&2; } ||
    { log "could not install etcd-server"; return 1; }
  command -v etcd
}

main() {
  local etcd
  provide_kubernetes || { log "could not provide Kubernetes ${KUBERNETES_VERSION}"; return 1; }
  etcd="$(provide_etcd)" || return 1
  # One directory with all four, so callers put a single entry on PATH.
  ln -sfn "$etcd" "${CACHE_DIR}/etcd"
  printf '%s\n' "$CACHE_DIR"
}

main "$@"
