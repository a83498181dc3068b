#!/usr/bin/env bash
# Installs, from Debian, what the tests need and the machine lacks: the AWS
# CLI and jq (end-to-end scripts), Chromium (the console's browser tests),
# Node.js and npm (the Alchemy end-to-end test), PostgreSQL (cluster-mode
# store tests start a private server from its binaries: store/postgres/pgtest).
# `make test` runs it first;
# without root it only says what is missing (tests that need it then skip
# locally, and fail under CI=true).
set -euo pipefail
need=()
for pkg in awscli jq curl make python3 chromium postgresql; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
((${#need[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
	echo "test-deps: missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
