#!/usr/bin/env bash
# `make images`: every image docker-compose.yml uses, built or found, on any machine.
#
# The bases are the official images (python, postgres, traefik; their tags are the
# defaults in docker-compose.yml). Each one that is neither present nor pullable, as on an
# air-gapped machine, is replaced by a stand-in built here from Debian's packages, under a
# name of its own (todo-platform/<name>-standin:<tag>, never the official tag, so a machine
# that can pull still gets the real image):
#   - a Debian bookworm base, bootstrapped with debootstrap from the host's own apt source;
#   - python: Debian's Python 3.11 on that base (deploy/standins/python);
#   - postgres: Debian's PostgreSQL with the official entrypoint's contract
#     (deploy/standins/postgres);
#   - traefik: the binary `make run` uses, from scripts/install_traefik.sh
#     (deploy/standins/traefik).
# The choice is written to $IMAGES_ENV as PYTHON_IMAGE / POSTGRES_IMAGE / TRAEFIK_IMAGE,
# which `make compose-up` exports for compose; then compose builds the service images.
# Ends with each image's size.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGES_ENV="${IMAGES_ENV:-.data/compose-images.env}"
readonly IMAGES_ENV
readonly STANDIN_PREFIX="${STANDIN_PREFIX:-todo-platform}"
readonly DEBIAN_SUITE=bookworm
readonly DEBIAN_IMAGE="${STANDIN_PREFIX}/debian-standin:${DEBIAN_SUITE}"
# Seconds a `docker pull` may take to fail; an unreachable registry fails much sooner.
readonly PULL_TIMEOUT="${PULL_TIMEOUT:-60}"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/todo-platform/standins"
readonly CACHE_DIR

log() { printf 'images: %s\n' "$*" >&2; }
now() { date +%s; }

# The official image compose names for <variable> when the shell leaves it unset.
compose_default() { # <variable>
  env -u PYTHON_IMAGE -u POSTGRES_IMAGE -u TRAEFIK_IMAGE JWT_SECRET=unused-for-config \
    docker compose config --format json |
    python3 -c '
import json, sys
config = json.load(sys.stdin)
services = config["services"]
print({
    "PYTHON_IMAGE": services["auth"]["build"]["args"]["PYTHON_IMAGE"],
    "POSTGRES_IMAGE": services["postgres"]["image"],
    "TRAEFIK_IMAGE": services["traefik"]["image"],
}[sys.argv[1]])' "$1"
}

present() { docker image inspect "$1" >/dev/null 2>&1; }

pullable() { # <image>
  log "pulling $1 (up to ${PULL_TIMEOUT}s)"
  timeout "$PULL_TIMEOUT" docker pull --quiet "$1" >/dev/null 2>&1
}

# The host's Debian mirror, as its apt is configured (never a name written here).
host_debian_mirror() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' |
    awk '$3 == "main" && $2 !~ /-(security|updates|backports)$/ { print $1; exit }'
}

# A Debian base image: debootstrap once per machine (the root filesystem is cached as a
# tarball outside the checkout), imported into the engine.
debian_base() {
  present "$DEBIAN_IMAGE" && return 0
  local tarball="${CACHE_DIR}/debian-${DEBIAN_SUITE}-rootfs.tar" rootfs mirror start
  mkdir -p "$CACHE_DIR"
  if [[ ! -s "$tarball" ]]; then
    command -v debootstrap >/dev/null || {
      log "installing debootstrap"
      apt-get install -y -qq --no-install-recommends debootstrap >&2
    }
    mirror="$(host_debian_mirror)"
    [[ -n "$mirror" ]] || { log "no Debian source in the host's apt configuration"; return 1; }
    rootfs="$(mktemp -d "${CACHE_DIR}/.rootfs.XXXXXX")"
    start="$(now)"
    log "debootstrap ${DEBIAN_SUITE} from the host's apt source (about 2 minutes)"
    debootstrap --variant=minbase --include=ca-certificates "$DEBIAN_SUITE" "$rootfs" "$mirror" >&2
    # As Debian's own slim container images: package scripts never start services,
    # manuals and translations are left out (now and by later installs), and neither
    # downloaded packages nor package lists stay in the image.
    printf '#!/bin/sh\nexit 101\n' >"${rootfs}/usr/sbin/policy-rc.d"
    chmod 0755 "${rootfs}/usr/sbin/policy-rc.d"
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
      'path-exclude /usr/share/locale/*' >"${rootfs}/etc/dpkg/dpkg.cfg.d/slim"
    find "${rootfs}/usr/share/doc" -type f ! -name copyright -delete
    rm -rf "${rootfs}"/usr/share/{man,info,locale}/* "${rootfs}"/var/cache/apt/*.bin \
      "${rootfs}"/var/cache/apt/archives/*.deb "${rootfs}"/var/lib/apt/lists/* "${rootfs}"/tmp/*
    tar -C "$rootfs" --numeric-owner -cf "${tarball}.partial" .
    mv -f "${tarball}.partial" "$tarball"
    rm -rf "$rootfs"
    log "debootstrap took $(($(now) - start))s"
  fi
  docker import --change 'CMD ["bash"]' "$tarball" "$DEBIAN_IMAGE" >/dev/null
}

# Prints the image to use in place of <official>: itself when present or pullable, or
# else the stand-in that <builder> builds.
base_image() { # <official> <builder>
  if present "$1" || pullable "$1"; then
    printf '%s\n' "$1"
    return 0
  fi
  log "$1 cannot be pulled: building its stand-in"
  debian_base >&2
  "$2"
}

build_standin() { # <tag> <dockerfile folder> <context>
  local start
  start="$(now)"
  docker buildx build --quiet --load --build-arg "DEBIAN_IMAGE=${DEBIAN_IMAGE}" \
    --tag "$1" --file "deploy/standins/$2/Dockerfile" "$3" >/dev/null
  log "built $1 ($(($(now) - start))s)"
  printf '%s\n' "$1"
}

python_standin() { build_standin "${STANDIN_PREFIX}/python-standin:3.11" python deploy/standins/python; }
postgres_standin() { build_standin "${STANDIN_PREFIX}/postgres-standin:15" postgres deploy/standins/postgres; }
traefik_standin() {
  local traefik
  traefik="$(scripts/install_traefik.sh | tail -n 1)"
  build_standin "${STANDIN_PREFIX}/traefik-standin:$("$traefik" version | awk '$1 == "Version:" { print $2 }')" \
    traefik "$(dirname "$traefik")"
}

main() {
  local python postgres traefik start
  start="$(now)"
  python="${PYTHON_IMAGE:-$(base_image "$(compose_default PYTHON_IMAGE)" python_standin)}"
  postgres="${POSTGRES_IMAGE:-$(base_image "$(compose_default POSTGRES_IMAGE)" postgres_standin)}"
  traefik="${TRAEFIK_IMAGE:-$(base_image "$(compose_default TRAEFIK_IMAGE)" traefik_standin)}"
  mkdir -p "$(dirname "$IMAGES_ENV")"
  printf 'PYTHON_IMAGE=%s\nPOSTGRES_IMAGE=%s\nTRAEFIK_IMAGE=%s\n' "$python" "$postgres" "$traefik" \
    >"$IMAGES_ENV"
  log "bases ready ($(($(now) - start))s): python=${python} postgres=${postgres} traefik=${traefik}"

  start="$(now)"
  # The service images, as `docker compose up --build` builds them. JWT_SECRET only
  # satisfies the file's interpolation: nothing secret goes into an image.
  PYTHON_IMAGE="$python" POSTGRES_IMAGE="$postgres" TRAEFIK_IMAGE="$traefik" \
    JWT_SECRET="${JWT_SECRET:-unused-at-build-time}" docker compose build >&2
  log "service images built ($(($(now) - start))s)"

  log "image sizes:"
  local image
  for image in $(
    {
      printf '%s\n' "$python"
      PYTHON_IMAGE="$python" POSTGRES_IMAGE="$postgres" TRAEFIK_IMAGE="$traefik" \
        JWT_SECRET=unused docker compose config --images
    } | sort -u
  ); do
    docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' "$image" >&2
  done
}

main "$@"
