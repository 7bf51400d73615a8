#!/usr/bin/env bash
# Set up everything the project needs on a fresh machine, from the project's
# own files: a virtual environment in .venv, the Python packages (torch pinned
# to the local CPU wheel before sdv can pull a multi-gigabyte build), the
# configurable-http-proxy that JupyterHub needs, Debian's chromium for the
# browser tests and nftables for the analysis room's egress rules. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
# The analysis room runs each researcher's notebook server under an account of
# its own, which must be able to read the interpreter and its standard library.
# An interpreter under /root (pyenv's, say) is unreadable to such an account, so
# the system's Python 3.11 is preferred when there is one; PYTHON overrides.
if [ -z "${PYTHON:-}" ]; then
    PYTHON=python3
    if [ -x /usr/bin/python3.11 ] && /usr/bin/python3.11 -c 'import venv, ensurepip' 2>/dev/null; then
        PYTHON=/usr/bin/python3.11
    fi
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --upgrade pip
# Pinned first: sdv depends on torch, and an unpinned resolution takes a CUDA build.
"$VENV/bin/pip" install -q "torch==2.13.0"
"$VENV/bin/pip" install -q -e '.[enclave,dev]' -c constraints.txt

# JupyterHub's proxy comes from the npm registry, into ./node_modules.
if [ ! -x node_modules/.bin/configurable-http-proxy ]; then
    npm install --no-audit --no-fund --silent
fi

# Browser tests drive Debian's chromium; a Korean font lets pages and screenshots
# show Hangul instead of boxes; nftables lets the analysis room limit workspace
# accounts to the hub and the enclave's API. Installed when we may.
if { [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/nanum ] || ! command -v nft >/dev/null; } \
        && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum nftables >/dev/null
fi

# R beside Python in the analysis room: Debian's R, its IRkernel (which registers the "ir"
# kernelspec in /usr/share/jupyter, a system folder the workspaces may read but not change)
# and reticulate. Installed when we may.
if { ! command -v R >/dev/null || [ ! -f /usr/share/jupyter/kernels/ir/kernel.json ] \
        || [ ! -d /usr/lib/R/site-library/reticulate ]; } \
        && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-base-core r-cran-irkernel \
        r-cran-reticulate >/dev/null
fi
echo "installed into $VENV"
