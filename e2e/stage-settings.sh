#!/usr/bin/env bash
# Stage settings change what callers experience (issue 4, data-plane.md
# §4-6): each setting is made with the Debian AWS CLI against a real
# stagecoach binary and its effect observed with real HTTP requests —
# 429s for throttling, backend hit counts for caching, the share of
# answers from the canary deployment for canary releases.
source "$(dirname "$0")/lib.sh"
start_server

# --- A small backend: answers {"path","hits","color"} and counts hits. ---
cat >"$E2E_TMP/backend.py" <<'PY'
import json, sys, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
hits, lock = {}, threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        with lock:
            if self.path == "/_hits":
                body = json.dumps(hits)
            else:
                hits[self.path] = hits.get(self.path, 0) + 1
                body = json.dumps({"path": self.path, "hits": hits[self.path], "color": self.headers.get("X-Color", "")})
        b = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def log_message(self, *a): pass
srv = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
print(srv.server_address[1], flush=True)  # listening: tell start_backend the port
srv.serve_forever()
PY
start_backend "$E2E_TMP/backend.py"
trap 'kill $BACKEND_PID 2>/dev/null || true; cleanup' EXIT
hits() { curl -fs "http://127.0.0.1:$BACKEND_PORT/_hits" | jq -r --arg p "$1" '.[$p] // 0'; }

# --- API: GET /items -> backend (X-Color from stageVariables.color), GET /v -> MOCK v1. ---
API=$(awsgw create-rest-api --name settings | jq -r .id)
ROOT=$(awsgw get-resources --rest-api-id "$API" | jq -r '.items[0].id')
ITEMS=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part items | jq -r .id)
V=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part v | jq -r .id)
awsgw put-method --rest-api-id "$API" --resource-id "$ITEMS" --http-method GET --authorization-type NONE >/dev/null
awsgw put-integration --rest-api-id "$API" --resource-id "$ITEMS" --http-method GET --type HTTP_PROXY \
	--integration-http-method GET --uri "http://127.0.0.1:$BACKEND_PORT/items" \
	--request-parameters '{"integration.request.header.X-Color":"stageVariables.color"}' >/dev/null
mock_version() {
	awsgw put-method --rest-api-id "$API" --resource-id "$V" --http-method GET --authorization-type NONE >/dev/null 2>&1 || true
	awsgw put-integration --rest-api-id "$API" --resource-id "$V" --http-method GET --type MOCK \
		--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
	awsgw put-method-response --rest-api-id "$API" --resource-id "$V" --http-method GET --status-code 200 >/dev/null
	awsgw put-integration-response --rest-api-id "$API" --resource-id "$V" --http-method GET --status-code 200 \
		--response-templates "{\"application/json\":\"{\\\"v\\\":\\\"$1\\\"}\"}" >/dev/null
}
mock_version 1
DEP1=$(awsgw create-deployment --rest-api-id "$API" --stage-name prod --variables color=blue | jq -r .id)
URL="$STAGECOACH_URL/restapis/$API/prod/_user_request_"
check "deployed mock answers" "$(curl -s "$URL/v")" '{"v":"1"}'
check "deployed proxy answers" "$(curl -s "$URL/items" | jq -r .color)" "blue"

# status_codes N PATH [curl args...]: the status codes of N requests on one connection.
status_codes() {
	local n=$1 path=$2; shift 2
	local cfg="$E2E_TMP/urls.cfg"
	: >"$cfg"
	for _ in $(seq "$n"); do echo "url = \"$URL$path\"" >>"$cfg"; echo 'output = "/dev/null"' >>"$cfg"; done
	curl -s -K "$cfg" -w '%{http_code}\n' "$@"
}
count() { grep -c "^$1\$" || true; }

# --- Throttling ---
check "account default limits" "$(awsgw get-account | jq -r '.throttleSettings | [.rateLimit, .burstLimit] | join(",")')" "10000,5000"
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations \
	'op=replace,path=/*/*/throttling/burstLimit,value=5' 'op=replace,path=/*/*/throttling/rateLimit,value=0.01' >/dev/null
check "*/* burst 5: 5 of 8 pass" "$(status_codes 8 /v | count 200)" "5"
RESP=$(curl -s -D "$E2E_TMP/h429" "$URL/v")
check "429 body" "$RESP" '{"message":"Too Many Requests"}'
check "429 status and x-amzn-ErrorType" "$(tr -d '\r' <"$E2E_TMP/h429" | awk 'NR==1{print $2} tolower($1)=="x-amzn-errortype:"{print $2}' | paste -sd,)" "429,ThrottlingException"
check "429 carries x-amzn-RequestId" "$(grep -ci '^x-amzn-requestid: ' "$E2E_TMP/h429")" "1"
H0=$(hits /items)
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations \
	'op=replace,path=/~1items/GET/throttling/burstLimit,value=2' 'op=replace,path=/~1items/GET/throttling/rateLimit,value=0.01' >/dev/null
check "per-method override burst 2: 2 of 4 pass" "$(status_codes 4 /items | count 200)" "2"
check "throttled requests never reach the backend" "$(( $(hits /items) - H0 ))" "2"
check "the update did not reset GET /v's drained bucket" "$(status_codes 3 /v | count 429)" "3"
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations \
	'op=replace,path=/~1v/GET/throttling/burstLimit,value=-1' 'op=replace,path=/~1v/GET/throttling/rateLimit,value=-1' \
	'op=remove,path=/~1items/GET' >/dev/null
check "-1 unthrottles GET /v at once (no redeploy)" "$(status_codes 20 /v | count 200)" "20"

# --- Caching ---
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations \
	'op=replace,path=/*/*/throttling/burstLimit,value=1000' 'op=replace,path=/*/*/throttling/rateLimit,value=1000' \
	op=replace,path=/cacheClusterEnabled,value=true \
	'op=replace,path=/*/*/caching/enabled,value=true' 'op=replace,path=/*/*/caching/ttlInSeconds,value=300' \
	'op=replace,path=/*/*/caching/dataEncrypted,value=true' \
	'op=replace,path=/*/*/caching/requireAuthorizationForCacheControl,value=true' \
	'op=replace,path=/*/*/caching/unauthorizedCacheControlHeaderStrategy,value=FAIL_WITH_403' >/dev/null
check "cache cluster" "$(awsgw get-stage --rest-api-id "$API" --stage-name prod | jq -r '[.cacheClusterStatus,.cacheClusterSize]|join(",")')" "AVAILABLE,0.5"
H0=$(hits /items)
FIRST=$(curl -s "$URL/items")
check "10 GETs, 1 backend hit" "$(status_codes 9 /items | count 200),$(( $(hits /items) - H0 ))" "9,1"
check "hits come from the cache" "$(curl -s "$URL/items")" "$FIRST"
check "unsigned max-age=0 with FAIL_WITH_403" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Cache-Control: max-age=0' "$URL/items"),$(( $(hits /items) - H0 ))" "403,1"
SIG='AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
check "signed max-age=0 refreshes the entry" "$(curl -s -H 'Cache-Control: max-age=0' -H "Authorization: $SIG" "$URL/items" | jq -r .hits),$(( $(hits /items) - H0 ))" "$(( $(jq -r .hits <<<"$FIRST") + 1 )),2"
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations \
	'op=replace,path=/*/*/caching/unauthorizedCacheControlHeaderStrategy,value=SUCCEED_WITH_RESPONSE_HEADER' >/dev/null
check "SUCCEED_WITH_RESPONSE_HEADER adds a Warning, serves the cache" \
	"$(curl -s -D - -o /dev/null -H 'Cache-Control: max-age=0' "$URL/items" | tr -d '\r' | grep -i '^warning:'),$(( $(hits /items) - H0 ))" \
	'Warning: 199 - "Unauthorized cache invalidation",2'
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations \
	'op=replace,path=/*/*/caching/requireAuthorizationForCacheControl,value=false' >/dev/null
curl -s -o /dev/null -H 'Cache-Control: max-age=0' "$URL/items"
check "without required authorisation anyone invalidates" "$(( $(hits /items) - H0 ))" "3"
awsgw flush-stage-cache --rest-api-id "$API" --stage-name prod
curl -s -o /dev/null "$URL/items"; curl -s -o /dev/null "$URL/items"
check "flush-stage-cache empties the cache" "$(( $(hits /items) - H0 ))" "4"
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations op=replace,path=/cacheClusterSize,value=1.6 >/dev/null
curl -s -o /dev/null "$URL/items"
check "resizing drops the entries" "$(( $(hits /items) - H0 ))" "5"
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations 'op=replace,path=/*/*/caching/ttlInSeconds,value=0' >/dev/null
status_codes 3 /items >/dev/null
check "ttlInSeconds 0: every request reaches the backend" "$(( $(hits /items) - H0 ))" "8"
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations 'op=replace,path=/*/*/caching/ttlInSeconds,value=300' >/dev/null

# --- Canary ---
mock_version 2
DEP2=$(awsgw create-deployment --rest-api-id "$API" --stage-name prod \
	--canary-settings 'percentTraffic=25,stageVariableOverrides={color=green},useStageCache=false' | jq -r .id)
check "canary deployment leaves the stage's deployment" "$(awsgw get-stage --rest-api-id "$API" --stage-name prod | jq -r '[.deploymentId==$d1, .canarySettings.deploymentId==$d2, .canarySettings.percentTraffic]|join(",")' --arg d1 "$DEP1" --arg d2 "$DEP2")" "true,true,25"
# 2000 requests on one connection; the canary answers {"v":"2"}.
: >"$E2E_TMP/urls.cfg"
for _ in $(seq 2000); do echo "url = \"$URL/v\"" >>"$E2E_TMP/urls.cfg"; done
CANARY=$(curl -s -K "$E2E_TMP/urls.cfg" -w '\n' | grep -c '"v":"2"' || true)
SHARE_OK=$(awk -v c="$CANARY" 'BEGIN { s = c / 20; print (s >= 22 && s <= 28) ? "yes" : "no (" s "%)" }')
echo "     canary answered $CANARY of 2000 requests"
check "percentTraffic 25: canary share of 2000 requests within 25±3%" "$SHARE_OK" "yes"
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations op=replace,path=/canarySettings/percentTraffic,value=100 >/dev/null
check "canary requests see stageVariableOverrides (backend)" "$(curl -s "$URL/items" | jq -r .color)" "green"
check "all traffic on the canary at 100%" "$(curl -s "$URL/v")" '{"v":"2"}'
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations op=replace,path=/canarySettings/percentTraffic,value=0 >/dev/null
check "no traffic on the canary at 0%" "$(curl -s "$URL/v"),$(curl -s "$URL/items" | jq -r .color)" '{"v":"1"},blue'
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations \
	op=copy,from=/canarySettings/deploymentId,path=/deploymentId \
	op=copy,from=/canarySettings/stageVariableOverrides,path=/variables >/dev/null
awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations op=remove,path=/canarySettings >/dev/null
check "promoted: stage serves the canary deployment" "$(status_codes 50 /v >/dev/null; curl -s "$URL/v")" '{"v":"2"}'
check "promoted: the canary's variables" "$(curl -s "$URL/items" | jq -r .color)" "green"
check "stage after promotion" "$(awsgw get-stage --rest-api-id "$API" --stage-name prod | jq -r '[.deploymentId==$d2, (.canarySettings==null), .variables.color]|join(",")' --arg d2 "$DEP2")" "true,true,green"
awsgw create-stage --rest-api-id "$API" --stage-name beta --deployment-id "$DEP1" --variables color=blue \
	--canary-settings "percentTraffic=100,deploymentId=$DEP2,stageVariableOverrides={color=red}" >/dev/null
check "create-stage --canary-settings" "$(curl -s "$STAGECOACH_URL/restapis/$API/beta/_user_request_/v"),$(curl -s "$STAGECOACH_URL/restapis/$API/beta/_user_request_/items" | jq -r .color)" '{"v":"2"},red'

finish
