#!/usr/bin/env bash
# Installs what `make bench` needs beyond `make install`: wrk from apt-get, and the packages of
# bench/requirements.txt into ./.venv. Safe to run again: every step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "bench: installing system package: wrk"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

stamp=.venv/.bench-installed
if [ ! -f "$stamp" ] || [ bench/requirements.txt -nt "$stamp" ]; then
    echo "bench: installing bench/requirements.txt into .venv"
    if .venv/bin/python -m pip install -q -r bench/requirements.txt; then
        touch "$stamp"
    else
        # Without moto the peer row is skipped; everything else still runs. No stamp: retried next time.
        echo "bench: could not install all of bench/requirements.txt; retrying without moto" >&2
        grep -v '^moto' bench/requirements.txt | .venv/bin/python -m pip install -q -r /dev/stdin
    fi
fi
