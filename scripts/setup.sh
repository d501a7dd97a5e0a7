#!/usr/bin/env bash
# Set up vizdl on a fresh machine: system libraries (apt), a virtual environment,
# torch's CPU wheel, then the package in editable mode. Idempotent and quick when
# everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="libpango1.0-dev libcairo2-dev pkg-config texlive-latex-base \
texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
texlive-science dvisvgm"
VENV=${VIZDL_VENV:-.venv}
PY=${PYTHON:-python3}

missing_apt() {
    local pkg
    for pkg in $APT_PACKAGES; do
        dpkg -s "$pkg" >/dev/null 2>&1 || printf '%s ' "$pkg"
    done
}

install_system() {
    command -v dpkg >/dev/null 2>&1 || { echo "setup: no dpkg; install pango, cairo, pkg-config and LaTeX by hand"; return; }
    local missing
    missing=$(missing_apt)
    [ -z "$missing" ] && return
    if [ "$(id -u)" = 0 ]; then
        echo "setup: installing system packages: $missing"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
    else
        echo "setup: missing system packages; run:"
        echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing"
        exit 1
    fi
}

install_python() {
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    local stamp="$VENV/.vizdl-installed"
    local want
    want=$(cat pyproject.toml | sha256sum | cut -c1-16)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return
    fi
    # torch first, pinned: on these machines this exact spec is a local CPU wheel,
    # while any other spec pulls several GB of CUDA packages.
    "$VENV/bin/pip" install -q torch==2.13.0
    "$VENV/bin/pip" install -q -e ".[all,dev]"
    echo "$want" > "$stamp"
}

install_system
install_python
echo "setup: ready ($VENV)"
