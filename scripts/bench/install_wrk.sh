#!/usr/bin/env bash
# wrk, the compiled HTTP load generator `make bench` drives the stack with, from the
# distribution's packages. Idempotent: prints the binary's path and does nothing else when
# wrk is already installed.
set -euo pipefail

if ! command -v wrk >/dev/null 2>&1; then
    echo "[bench] installing wrk (apt-get)" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    if ! "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends wrk >&2; then
        # A fresh machine may not have the package lists yet.
        "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update >&2
        "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends wrk >&2
    fi
fi
command -v wrk
