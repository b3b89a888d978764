#!/usr/bin/env bash
# One entry point for a fresh machine with Python 3.11+ and pip.
#   ./run.sh demo   install, load sample_data/ into the embedded SQLite database,
#                   create a plan, draw, assign, and open the dashboard
#   ./run.sh test   install (test extras, headless Chromium, PostgreSQL) and run every test
set -euo pipefail
cd "$(dirname "$0")"

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

install() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
}

ensure_system_packages() {
    # The browser test drives the real dashboard in Debian's Chromium; a CJK font
    # makes its screenshots show Chinese instead of empty boxes. tests/integration/test_postgres.py
    # starts a private PostgreSQL server from /usr/lib/postgresql/*/bin.
    # Only what is missing is installed.
    local missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei fontconfig)
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
    [ ${#missing[@]} -eq 0 ] && return
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing Debian's ${missing[*]} for the browser and PostgreSQL tests" >&2
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >/dev/null
}

demo() {
    install
    local db=${SCHEDULER_DATABASE_URL:-sqlite:///scheduler.db}
    export SCHEDULER_DATABASE_URL=$db
    scheduler() { "$VENV/bin/scheduler" "$@"; }
    scheduler db init
    scheduler db load sample_data
    scheduler demo-plan  # seed: scheduler.views.demo.DEMO_SEED
    if [ "${NO_DASHBOARD:-0}" != "1" ]; then
        scheduler dashboard
    fi
}

run_tests() {
    install
    ensure_system_packages
    mkdir -p test-artifacts
    # the gates first: lint (incl. stale noqa, complexity 15, unused arguments), format, types
    "$VENV/bin/ruff" check scheduler dashboard tests benchmarks
    "$VENV/bin/ruff" format --check --quiet scheduler dashboard tests benchmarks
    # types (config in pyproject.toml): the library strict, the dashboard's pages plain
    "$VENV/bin/mypy" --strict scheduler
    "$VENV/bin/mypy" dashboard
    "$VENV/bin/python" -m pytest "$@"
}

case "${1:-}" in
    demo) shift; demo "$@" ;;
    test) shift; run_tests "$@" ;;
    *) echo "usage: ./run.sh demo | ./run.sh test [pytest args]" >&2; exit 2 ;;
esac
