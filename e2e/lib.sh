# Shared helpers for the end-to-end scripts: build and start a real
# stagecoach binary on a free loopback port with a fresh data directory,
# and count checks. Source it; it sets STAGECOACH_URL and traps cleanup.

set -euo pipefail

E2E_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Debian's AWS CLI; a pyenv shim earlier on PATH may shadow it.
AWS_BIN="${AWS_BIN:-$(command -v /usr/bin/aws || command -v aws)}"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_CLI_AUTO_PROMPT=off

PASSED=0
FAILED=0
E2E_TMP="$(mktemp -d)"
SERVER_PID=""

cleanup() {
	if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
	rm -rf "$E2E_TMP"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_server builds the binary (once per run) and starts it.
start_server() {
	local bin="$E2E_TMP/stagecoach"
	(cd "$E2E_ROOT" && go build -o "$bin" ./cmd/stagecoach)
	local port
	port="$(free_port)"
	STAGECOACH_URL="http://127.0.0.1:$port"
	"$bin" serve --listen "127.0.0.1:$port" --data-dir "$E2E_TMP/data" "$@" >"$E2E_TMP/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 1 100); do
		if curl -fsS "$STAGECOACH_URL/_stagecoach/health" >/dev/null 2>&1; then
			export STAGECOACH_URL AWS_ENDPOINT_URL="$STAGECOACH_URL"
			return 0
		fi
		sleep 0.1
	done
	echo "server did not become healthy; log:" >&2
	cat "$E2E_TMP/server.log" >&2
	exit 1
}

awsgw() { "$AWS_BIN" --endpoint-url "$STAGECOACH_URL" --output json apigateway "$@"; }

# mock_get API RESOURCE_ID RESPONSE_BODY
# Gives the resource a GET method with a MOCK integration that answers 200
# with RESPONSE_BODY (the application/json response template).
mock_get() {
	awsgw put-method --rest-api-id "$1" --resource-id "$2" --http-method GET --authorization-type NONE >/dev/null
	awsgw put-integration --rest-api-id "$1" --resource-id "$2" --http-method GET --type MOCK \
		--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
	awsgw put-method-response --rest-api-id "$1" --resource-id "$2" --http-method GET --status-code 200 >/dev/null
	awsgw put-integration-response --rest-api-id "$1" --resource-id "$2" --http-method GET --status-code 200 \
		--response-templates "$(jq -nc --arg body "$3" '{"application/json": $body}')" >/dev/null
}

# check NAME ACTUAL EXPECTED
check() {
	if [[ "$2" == "$3" ]]; then
		PASSED=$((PASSED + 1))
		echo "ok   - $1"
	else
		FAILED=$((FAILED + 1))
		echo "FAIL - $1: got '$2', want '$3'"
	fi
}

# expect_error NAME EXPECTED_SUBSTRING -- command...
# Runs the command, which must fail with stderr containing the substring.
expect_error() {
	local name="$1" want="$2"
	shift 3
	local out
	if out="$("$@" 2>&1)"; then
		FAILED=$((FAILED + 1))
		echo "FAIL - $name: command succeeded, want error containing '$want'"
		return
	fi
	if [[ "$out" == *"$want"* ]]; then
		PASSED=$((PASSED + 1))
		echo "ok   - $name"
	else
		FAILED=$((FAILED + 1))
		echo "FAIL - $name: error '$out' does not contain '$want'"
	fi
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[[ "$FAILED" -eq 0 ]]
}
