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

# start_server starts the binary ($STAGECOACH_BIN, which run-all.sh builds
# once; else built here) on a port the kernel picks, and returns once the
# server's ready record names its endpoint: no port guessed up front (two
# scripts running at once cannot race for one) and no health polling.
start_server() {
	local bin="$E2E_TMP/stagecoach"
	if [[ -n "${STAGECOACH_BIN:-}" ]]; then
		ln -sf "$STAGECOACH_BIN" "$bin" # scripts may run "$E2E_TMP/stagecoach" themselves
	elif [[ ! -x "$bin" ]]; then
		(cd "$E2E_ROOT" && go build -o "$bin" ./cmd/stagecoach)
	fi
	: >"$E2E_TMP/server.log"
	"$bin" serve --listen 127.0.0.1:0 --data-dir "$E2E_TMP/data" "$@" >>"$E2E_TMP/server.log" 2>&1 &
	SERVER_PID=$!
	# tail follows the log until the ready line (or until the server
	# exits: --pid), grep stops at the first match.
	local ready
	ready="$(tail -n +1 -f --pid="$SERVER_PID" "$E2E_TMP/server.log" | grep -m1 '"msg":"stagecoach ready"' || true)"
	STAGECOACH_URL="$(jq -r .endpoint <<<"$ready" 2>/dev/null || true)"
	if [[ -z "$STAGECOACH_URL" || "$STAGECOACH_URL" == null ]]; then
		echo "server did not become ready; log:" >&2
		cat "$E2E_TMP/server.log" >&2
		exit 1
	fi
	export STAGECOACH_URL AWS_ENDPOINT_URL="$STAGECOACH_URL"
}

# start_backend FILE.py: runs a Python backend that binds port 0 and prints
# the port it got once it listens (its first stdout line); sets
# BACKEND_PORT and BACKEND_PID. Read through a FIFO: no port guessed up
# front and no polling.
start_backend() {
	local fifo="$E2E_TMP/backend.port"
	mkfifo "$fifo"
	python3 "$1" 0 >"$fifo" &
	BACKEND_PID=$!
	read -r BACKEND_PORT <"$fifo" || true
	if [[ -z "$BACKEND_PORT" ]]; then
		echo "backend $1 did not start" >&2
		exit 1
	fi
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
