#!/usr/bin/env bash
# Runs every end-to-end script, several at once, and prints each script's
# output as one block when it ends, then one summary line.
#
# The scripts are independent: each starts its own server on a port the
# kernel picks (lib.sh's start_server), in its own temporary directory,
# with its own data directory and backends; alchemy/run.sh alone installs
# into e2e/alchemy/node_modules. The binary is built once, here.
# E2E_JOBS caps how many run at once (default 3: the AWS CLI's start-up is
# CPU-bound, and CI has two cores).
set -uo pipefail
cd "$(dirname "$0")"
# Use Debian's AWS CLI (the package CI installs) even where another `aws`
# (a pyenv shim, say) comes first on PATH.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ -x /usr/bin/aws ]]; then
	mkdir -p "$work/bin"
	ln -s /usr/bin/aws "$work/bin/aws"
	export PATH="$work/bin:$PATH" AWS_BIN=/usr/bin/aws
fi
(cd .. && go build -o "$work/stagecoach" ./cmd/stagecoach) || { echo "e2e: build failed"; echo "e2e: 0 passed, 1 failed"; exit 1; }
export STAGECOACH_BIN="$work/stagecoach"

# Every script here but the helpers, and alchemy/run.sh: a new script is
# picked up without being listed.
scripts=()
for s in *.sh alchemy/run.sh; do
	case "$s" in lib.sh | run-all.sh) continue ;; esac
	[[ -f "$s" ]] && scripts+=("$s")
done
jobs="${E2E_JOBS:-3}"

# run_one SCRIPT: runs it with its output in a file; the exit status and
# the time it took go to files beside it.
run_one() {
	local s="$1" log="$work/${1//\//_}"
	local start=$SECONDS
	bash "$s" >"$log.out" 2>&1
	echo $? >"$log.rc"
	echo $((SECONDS - start)) >"$log.secs"
}

passed=0 failed=0 running=()
report() { # SCRIPT
	local s="$1" log="$work/${1//\//_}"
	local rc secs
	rc="$(cat "$log.rc")" secs="$(cat "$log.secs")"
	echo "=== e2e: $s"
	cat "$log.out"
	if [[ "$rc" == 0 ]]; then
		passed=$((passed + 1))
		echo "=== e2e: $s PASSED (${secs}s)"
	else
		failed=$((failed + 1))
		echo "=== e2e: $s FAILED (exit $rc, ${secs}s)"
	fi
}

declare -A pid_of
for s in "${scripts[@]}"; do
	while (( $(jobs -rp | wc -l) >= jobs )); do
		wait -n
	done
	run_one "$s" &
	pid_of[$s]=$!
	running+=("$s")
done
# Report in the order the scripts are listed, each as soon as it and the
# ones before it are done.
for s in "${running[@]}"; do
	wait "${pid_of[$s]}"
	report "$s"
done
echo "e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
