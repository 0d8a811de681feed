#!/usr/bin/env bash
# Provide the Docker CLI plugins the compose stack needs: `docker compose` (v2) and
# `docker buildx` (BuildKit builds: the Dockerfile's secret mount for the CA bundle).
#
# Debian ships neither as a package, so each is built once per machine from its pinned
# Go module (through the Go module proxy) into the per-user cache, outside the checkout:
#     ${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/docker-plugins/<name>-<version>/
# and linked into ~/.docker/cli-plugins, where the docker CLI finds plugins. A plugin the
# CLI already has (say from Docker's own packages) is used as it is.
# Each build takes a few minutes on 2 cores; concurrent callers build once (flock).
set -euo pipefail

# Pinned from `go list -m -versions <module>`; both build with the Go on PATH (>= 1.24).
readonly COMPOSE_MODULE="github.com/docker/compose/v2"
readonly COMPOSE_VERSION="v2.40.3"
readonly BUILDX_MODULE="github.com/docker/buildx"
readonly BUILDX_VERSION="v0.29.1"

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/docker-plugins"
PLUGIN_DIR="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
readonly CACHE_ROOT PLUGIN_DIR

log() { printf 'install_docker_plugins: %s\n' "$*" >&2; }

# Builds <module>@<version>'s <package> into <dest> as the main module: `go install
# pkg@version` refuses modules whose go.mod has replace/exclude directives, and building
# the module itself also pins every dependency to its own go.sum.
build_module() { # <module> <version> <package> <ldflags> <dest>
  local module="$1" version="$2" package="$3" ldflags="$4" dest="$5" src staging
  command -v go >/dev/null || { log "go is not installed"; return 1; }
  src="$( (cd / && GOWORK=off go mod download -json "${module}@${version}") |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -f "${src}/go.mod" ]] || { log "could not fetch ${module}@${version}"; return 1; }
  staging="$(mktemp -d "${CACHE_ROOT}/.staging.XXXXXX")"
  cp -R "$src" "${staging}/src" && chmod -R u+w "${staging}/src"
  log "building ${module}@${version} (a few minutes, once per machine)"
  if (cd "${staging}/src" && CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=mod \
    go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "${staging}/bin" "$package") >&2; then
    mv -f "${staging}/bin" "$dest"
  fi
  rm -rf "$staging"
  [[ -x "$dest" ]]
}

provide() { # <cli name> <module> <version> <package> <ldflags>
  local name="$1" module="$2" version="$3" package="$4" ldflags="$5"
  local dir="${CACHE_ROOT}/${name}-${version}" bin lock_fd
  bin="${dir}/docker-${name}"
  if [[ ! -x "$bin" ]] && docker "$name" version >/dev/null 2>&1; then
    log "docker ${name} is already installed: $(docker "$name" version 2>&1 | head -n 1)"
    return 0
  fi
  mkdir -p "$dir" "$PLUGIN_DIR"
  exec {lock_fd}>"${dir}/.lock"
  flock --wait 1800 "$lock_fd"
  [[ -x "$bin" ]] || build_module "$module" "$version" "$package" "$ldflags" "$bin"
  exec {lock_fd}>&-
  ln -sfn "$bin" "${PLUGIN_DIR}/docker-${name}"
  log "docker ${name}: $(docker "$name" version 2>&1 | head -n 1)"
}

main() { # [compose|buildx]... (default: both)
  local name names=("$@")
  ((${#names[@]})) || names=(compose buildx)
  mkdir -p "$CACHE_ROOT"
  for name in "${names[@]}"; do
    case "$name" in
      compose)
        provide compose "$COMPOSE_MODULE" "$COMPOSE_VERSION" ./cmd \
          "-s -w -X ${COMPOSE_MODULE}/internal.Version=${COMPOSE_VERSION}"
        ;;
      buildx)
        provide buildx "$BUILDX_MODULE" "$BUILDX_VERSION" ./cmd/buildx \
          "-s -w -X ${BUILDX_MODULE}/version.Version=${BUILDX_VERSION} -X ${BUILDX_MODULE}/version.Package=${BUILDX_MODULE}"
        ;;
      *) log "unknown plugin: $name"; return 2 ;;
    esac
  done
}

main "$@"
