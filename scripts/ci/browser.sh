#!/usr/bin/env bash
# What the frontend's tests need beyond Python, installed when missing (idempotent):
# Chromium from Debian's packages (the browser tests drive /usr/bin/chromium; no browser
# download) and Node.js with npm (the Node packages come later, `npm ci` in `make test`).
set -euo pipefail

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "browser.sh: the frontend's tools (Vite) need Node.js 20 or newer; found $(node --version)" >&2
    exit 1
fi
if [ ${#missing[@]} -eq 0 ]; then
    echo "browser.sh: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), node $(node --version), npm $(npm --version)"
    exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "browser.sh: installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
