#!/usr/bin/env bash
# A Docker Engine for the container tests (tests/containers/) and `make compose-up`.
#
#   scripts/ci/docker_engine.sh start      installs Debian's docker.io when dockerd is
#                                          missing, starts dockerd when no engine answers,
#                                          and provides the compose and buildx CLI plugins;
#                                          prints the PID of the dockerd it started, or
#                                          nothing when an engine already answered
#   scripts/ci/docker_engine.sh stop PID   stops that dockerd (no PID: nothing to stop)
#
# So a caller stops only what it started: an engine that was already running belongs to
# someone else and is left alone. dockerd's log: $DOCKER_ENGINE_LOG (default
# ~/.cache/todo-platform/dockerd/dockerd.log).
set -euo pipefail
cd "$(dirname "$0")/../.."

LOG_FILE="${DOCKER_ENGINE_LOG:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/dockerd/dockerd.log}"
readonly LOG_FILE
# Seconds for a freshly started dockerd to answer `docker info`.
readonly START_TIMEOUT="${DOCKER_ENGINE_START_TIMEOUT:-60}"

log() { printf 'docker_engine: %s\n' "$*" >&2; }

engine_answers() { docker info >/dev/null 2>&1; }

# Empty as root; sudo otherwise.
SUDO=""
[[ "$(id -u)" == 0 ]] || SUDO="sudo"
readonly SUDO

install_engine() {
  command -v dockerd >/dev/null && return 0
  log "installing Debian's docker.io (dockerd, containerd, runc)"
  ${SUDO} apt-get update -qq >&2
  # The Docker CLI may already come from elsewhere; docker.io brings its own as well.
  ${SUDO} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    docker.io iptables >&2
}

start_engine() {
  if engine_answers; then
    log "an engine already answers: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
    return 0
  fi
  install_engine
  mkdir -p "$(dirname "$LOG_FILE")"
  log "starting dockerd (log: ${LOG_FILE})"
  # setsid: its own session, so the caller's terminal signals do not reach it. Started
  # directly (no function or subshell), so $! is the PID of dockerd itself.
  ${SUDO} setsid dockerd >>"$LOG_FILE" 2>&1 </dev/null &
  local pid="$!" waited=0
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "dockerd exited; the end of its log:"
      tail -n 20 "$LOG_FILE" >&2
      return 1
    fi
    ((waited++ < START_TIMEOUT)) || { log "dockerd did not answer within ${START_TIMEOUT}s"; return 1; }
    sleep 1
  done
  log "dockerd $(docker version --format '{{.Server.Version}}') answers (pid ${pid})"
  printf '%s\n' "$pid"
}

stop_engine() { # [pid]
  local pid="${1:-}" waited=0
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping the dockerd started for this run (pid ${pid})"
    ${SUDO} kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null && ((waited++ < 30)); do sleep 1; done
  fi
}

case "${1:-}" in
  start)
    start_engine
    scripts/install_docker_plugins.sh >&2
    ;;
  stop) stop_engine "${2:-}" ;;
  *)
    echo "usage: $0 start | stop [PID]" >&2
    exit 2
    ;;
esac
