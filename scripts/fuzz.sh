#!/usr/bin/env bash
# Runs every fuzz target of the module for a short time each
# (FUZZTIME, default 10s): `make fuzz`, part of `make test`. Targets are
# found by name, so a new Fuzz function is fuzzed without editing this.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-10s}"
status=0
while IFS=: read -r file _ line; do
	name="$(sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/' <<<"$line")"
	pkg="./$(dirname "$file")"
	echo "=== fuzz $pkg $name ($FUZZTIME)"
	# Go's fuzzer can report "context deadline exceeded" when -fuzztime
	# ends while it is minimising a new interesting input (a toolchain
	# flake, seen in CI on FuzzApplyStagePatch). That run found nothing:
	# a real finding prints "Failing input written to testdata". Such a
	# run is tried once more; any other failure fails at once.
	for try in 1 2; do
		out="$(mktemp)"
		if go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" 2>&1 | tee "$out"; then
			rm -f "$out"
			break
		fi
		if [ "$try" = 1 ] && grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
			echo "=== fuzz $pkg $name: the fuzzer's deadline fell in a minimisation; trying once more"
			rm -f "$out"
			continue
		fi
		rm -f "$out"
		status=1
		break
	done
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' cmd internal | sort)
exit $status
