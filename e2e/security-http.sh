#!/usr/bin/env bash
# HTTP hardening, end to end against the real binary, with raw sockets
# (e2e/rawhttp.py) where no well-behaved client would go: request
# smuggling (Content-Length + Transfer-Encoding), malformed chunks, bodies
# shorter than their Content-Length, slowloris heads, slow bodies — on the
# main listener (net/http) and on the --gateway-listen data-plane listener
# (h1serve) — and a flood of idle connections on the data-plane listener,
# over its connection cap, while the management API keeps answering.
# Each check asserts the exact status and that the store did not change.
# Timeouts are configured short (1 s header, 2 s body) so this is quick;
# every wait is bounded.
source "$(dirname "$0")/lib.sh"
RAW="python3 $(dirname "$0")/rawhttp.py"
hex() { printf '%b' "$1" | od -An -tx1 -v | tr -d ' \n'; }

GW_PORT="$(free_port)"
GW="127.0.0.1:$GW_PORT"
start_server --gateway-listen "$GW" --read-header-timeout 1s --read-body-timeout 2s
MAIN="${STAGECOACH_URL#http://}"

API=$(awsgw create-rest-api --name hardening --query id --output text)
ROOT=$(awsgw get-resources --rest-api-id "$API" --query 'items[0].id' --output text)
PETS=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part pets --query id --output text)
mock_get "$API" "$PETS" '[{"id":1}]'
DEP=$(awsgw create-deployment --rest-api-id "$API" --stage-name prod --variables v=one --query id --output text)
INVOKE="/restapis/$API/prod/_user_request_/pets"

# state is what must not change: the API list, the stage's deployment and
# variables, the deployment count.
state() {
	echo "$(awsgw get-rest-apis --query 'items[].id' --output text)|$(awsgw get-stage --rest-api-id "$API" --stage-name prod \
		--query '[deploymentId,variables.v]' --output text)|$(awsgw get-deployments --rest-api-id "$API" --query 'length(items)')"
}
BEFORE="$(state)"

# A smuggled request hides in the body: a redeploy with new variables.
SMUGGLED="POST /restapis/$API/deployments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 46\r\n\r\n{\"stageName\":\"prod\",\"variables\":{\"v\":\"evil\"}}"
CHUNKED_SMUGGLE="0\r\n\r\n$SMUGGLED"
for listener in "main:$MAIN" "data-plane:$GW"; do
	name="${listener%%:*}" addr="${listener#*:}"
	check "$name: Content-Length + Transfer-Encoding -> 400, closed, nothing smuggled" \
		"$($RAW send "$addr" "$(hex "POST $INVOKE HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n$CHUNKED_SMUGGLE")")" "400 closed"
	check "$name: Transfer-Encoding + Content-Length (other order) -> 400, closed" \
		"$($RAW send "$addr" "$(hex "POST $INVOKE HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 300\r\n\r\n$CHUNKED_SMUGGLE")")" "400 closed"
	check "$name: malformed chunk size -> 400, closed" \
		"$($RAW send "$addr" "$(hex "POST $INVOKE HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")")" "400 closed"
	check "$name: chunk longer than its size -> 400, closed" \
		"$($RAW send "$addr" "$(hex "POST $INVOKE HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n$SMUGGLED")")" "400 closed"
	check "$name: body shorter than Content-Length -> 400, closed" \
		"$($RAW send "$addr" "$(hex "POST $INVOKE HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort")" --half-close)" "400 closed"
	check "$name: slowloris head closed after the header timeout, no response" \
		"$($RAW slowhead "$addr")" "none closed"
	check "$name: 1-byte-per-0.5s body cut off at the body timeout -> 408, closed" \
		"$($RAW slowbody "$addr" "$INVOKE")" "408 closed"
	check "$name: a well-formed invoke still answers" \
		"$(curl -s -o /dev/null -w '%{http_code}' "http://$addr$INVOKE")" "200"
done
# The control plane itself, with a smuggled redeploy behind a harmless call.
check "main: smuggling via a control-plane call -> 400, closed" \
	"$($RAW send "$MAIN" "$(hex "GET /restapis HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n$CHUNKED_SMUGGLE")")" "400 closed"
check "store unchanged by every attack" "$(state)" "$BEFORE"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

# Connection cap. The server runs with 256 file descriptors; its caps are
# derived from that (main 16, data plane 56). 300 idle connections to the
# data-plane listener would exhaust the descriptors of an uncapped server
# for the 10 s header timeout — and with them the management listener.
bin="$E2E_TMP/stagecoach"
port="$(free_port)"; GW_PORT="$(free_port)"
bash -c "ulimit -n 256 && exec '$bin' serve --listen 127.0.0.1:$port --gateway-listen 127.0.0.1:$GW_PORT --data-dir '$E2E_TMP/data'" \
	>"$E2E_TMP/server2.log" 2>&1 &
SERVER_PID=$!
STAGECOACH_URL="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fsS "$STAGECOACH_URL/_stagecoach/health" >/dev/null 2>&1 && break; sleep 0.1; done
$RAW hold "127.0.0.1:$GW_PORT" 300 12 >"$E2E_TMP/hold.out" &
HOLD_PID=$!
for _ in $(seq 1 100); do [[ -s "$E2E_TMP/hold.out" ]] && break; sleep 0.1; done
# The management call must not wait for the flood to clear (an uncapped
# server starves for the whole 10 s header timeout): 5 s is its bound.
check "300 idle data-plane connections: get-rest-apis on the main listener still answers" \
	"$(AWS_MAX_ATTEMPTS=1 "$AWS_BIN" --endpoint-url "$STAGECOACH_URL" --cli-read-timeout 5 --cli-connect-timeout 5 \
		apigateway get-rest-apis --query 'items[].id' --output text 2>&1)" "$API"
fds=$(ls "/proc/$SERVER_PID/fd" | wc -l)
check "the server holds fewer descriptors than its limit ($fds < 256)" "$((fds < 256))" "1"
kill "$HOLD_PID" 2>/dev/null; wait "$HOLD_PID" 2>/dev/null || true
check "the data plane serves again once the flood is gone" \
	"$(curl -s -m 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW_PORT$INVOKE")" "200"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

# TLS on both listeners (HTTP/2 by ALPN, HTTP/1.1 otherwise), with a
# certificate made here.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$E2E_TMP/key.pem" -out "$E2E_TMP/cert.pem" 2>/dev/null
GW_PORT="$(free_port)"
start_server --gateway-listen "127.0.0.1:$GW_PORT" --tls-cert "$E2E_TMP/cert.pem" --tls-key "$E2E_TMP/key.pem" \
	--gateway-tls-cert "$E2E_TMP/cert.pem" --gateway-tls-key "$E2E_TMP/key.pem"
check "TLS: the ready record names an https endpoint" "${STAGECOACH_URL%%://*}" "https"
check "TLS: the AWS CLI manages the gateway over https" \
	"$(AWS_CA_BUNDLE="$E2E_TMP/cert.pem" awsgw get-rest-apis --query 'items[].id' --output text)" "$API"
check "TLS: invoke URL on the main listener over HTTP/2" \
	"$(curl -s --cacert "$E2E_TMP/cert.pem" --http2 -o /dev/null -w '%{http_code} %{http_version}' "$STAGECOACH_URL$INVOKE")" "200 2"
check "TLS: invoke URL on the data-plane listener over HTTP/2" \
	"$(curl -s --cacert "$E2E_TMP/cert.pem" --http2 -o /dev/null -w '%{http_code} %{http_version}' "https://127.0.0.1:$GW_PORT$INVOKE")" "200 2"
check "TLS: invoke URL on the data-plane listener over HTTP/1.1" \
	"$(curl -s --cacert "$E2E_TMP/cert.pem" --http1.1 -o /dev/null -w '%{http_code} %{http_version}' "https://127.0.0.1:$GW_PORT$INVOKE")" "200 1.1"
finish
