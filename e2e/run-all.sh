#!/usr/bin/env bash
# Runs every end-to-end script and prints one summary line.
set -uo pipefail
cd "$(dirname "$0")"
# Use Debian's AWS CLI (the package CI installs) even where another `aws`
# (a pyenv shim, say) comes first on PATH.
if [[ -x /usr/bin/aws ]]; then
	bindir="$(mktemp -d)"
	ln -s /usr/bin/aws "$bindir/aws"
	export PATH="$bindir:$PATH" AWS_BIN=/usr/bin/aws
fi
scripts=(console-guide.sh stage-settings.sh)
[[ -f cloudcontrol.sh ]] && scripts+=(cloudcontrol.sh)
[[ -f alchemy/run.sh ]] && scripts+=(alchemy/run.sh)
scripts+=(logs.sh cloudwatch.sh mapping-templates.sh security-auth.sh models-validation.sh)
passed=0 failed=0
for s in "${scripts[@]}"; do
	echo "=== e2e: $s"
	if bash "$s"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "=== e2e: $s FAILED"; fi
done
echo "e2e: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
