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
	if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME"; then
		status=1
	fi
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' cmd internal | sort)
exit $status
