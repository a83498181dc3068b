#!/usr/bin/env bash
# End-to-end test: the three examples of the Alchemy Stage guide
# (shared/seeds/001) run unchanged — except for the ids of a real API and
# deployment — against a freshly started Stagecoach through Cloud Control:
# create, a second run with one property changed (update), destroy. After
# every step the stages are checked through the REST control API, because
# Alchemy exits 0 even when a delete fails.
#
# Needs go, node (>= 20), npm, curl and jq. Installs alchemy 0.94.0 into
# e2e/alchemy/node_modules (no lockfile). Prints "N passed, M failed" last
# and exits non-zero on any failure.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
for tool in go node npm curl jq; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 2; }
done

# --- Alchemy ---------------------------------------------------------------
cd "$here"
if [[ "$(jq -r .version node_modules/alchemy/package.json 2>/dev/null)" != "0.94.0" ]]; then
	echo "installing alchemy 0.94.0 ..."
	npm install --no-package-lock --no-audit --no-fund --loglevel=error >"$E2E_TMP/npm.log" 2>&1 || { cat "$E2E_TMP/npm.log" >&2; exit 2; }
fi

# --- Stagecoach ------------------------------------------------------------
start_server
endpoint="$STAGECOACH_URL"
echo "stagecoach at $endpoint"

api() { # METHOD PATH [BODY]
	curl -sS -X "$1" "$endpoint$2" -H 'content-type: application/json' ${3:+-d "$3"}
}

# A real API: GET / with a MOCK integration, and two deployments. The
# second is made a second later: deployments are ordered by createdDate,
# which has whole seconds, and the stages without DeploymentId must attach
# to the latest one.
rest=$(api POST /restapis '{"name":"alchemy-e2e"}')
api_id=$(jq -r .id <<<"$rest")
root=$(jq -r .rootResourceId <<<"$rest")
api PUT "/restapis/$api_id/resources/$root/methods/GET" '{"authorizationType":"NONE"}' >/dev/null
api PUT "/restapis/$api_id/resources/$root/methods/GET/integration" \
	'{"type":"MOCK","requestTemplates":{"application/json":"{\"statusCode\": 200}"}}' >/dev/null
dep1=$(api POST "/restapis/$api_id/deployments" '{"description":"first"}' | jq -r .id)
sleep 1.1
dep2=$(api POST "/restapis/$api_id/deployments" '{"description":"latest"}' | jq -r .id)
[[ "$api_id" != null && "$dep1" != null && "$dep2" != null ]] || { echo "run.sh: could not create the API" >&2; exit 2; }
# Access logging needs the account's CloudWatch role.
api PATCH /account '{"patchOperations":[{"op":"replace","path":"/cloudwatchRoleArn","value":"arn:aws:iam::123456789012:role/apigw-logs"}]}' >/dev/null
echo "API $api_id, deployments $dep1 (first) $dep2 (latest)"

stage() { api GET "/restapis/$api_id/stages/$1"; }
stage_exists() { [[ "$(curl -s -o /dev/null -w '%{http_code}' "$endpoint/restapis/$api_id/stages/$1")" == 200 ]] && echo yes || echo no; }

# --- the apps --------------------------------------------------------------
export AWS_ENDPOINT_URL="$endpoint" AWS_ENDPOINT_URL_CLOUDCONTROLAPI="$endpoint"
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export ALCHEMY_TELEMETRY_DISABLED=1 ALCHEMY_CI_STATE_STORE_CHECK=false
mkdir -p "$here/.run"
app="$here/.run/app.mjs"
render() { # [extra sed expression]
	sed -e "s/abc1234/$api_id/g" -e "s/xyz5678/$dep1/g" ${1:+-e "$1"} "$here/stages.template.mjs" >"$app"
}
alchemy_run() { # EXAMPLE [--destroy]; output in $E2E_TMP/out, status in $rc
	set +e
	EXAMPLE=$1 node "$app" --root-dir "$E2E_TMP/state" ${2:-} >"$E2E_TMP/out" 2>&1
	rc=$?
	set -e
	sed 's/^/    | /' "$E2E_TMP/out"
}

echo "== Minimal example"
render
alchemy_run minimal
check "minimal create exits 0" "$rc" 0
s=$(stage production)
check "minimal: stage attached to the latest deployment" "$(jq -r .deploymentId <<<"$s")" "$dep2"
check "minimal: description" "$(jq -r .description <<<"$s")" "Production stage for the API"
check "minimal: */* throttling" "$(jq -c '.methodSettings["*/*"] | [.throttlingBurstLimit, .throttlingRateLimit]' <<<"$s")" "[100,50]"
check "minimal: tags" "$(jq -c .tags <<<"$s")" '{"Environment":"production","Project":"API Project"}'
render 's/"Production stage for the API"/"Production stage for the API, v2"/'
alchemy_run minimal
check "minimal update exits 0" "$rc" 0
s=$(stage production)
check "minimal: description updated" "$(jq -r .description <<<"$s")" "Production stage for the API, v2"
check "minimal: throttling kept" "$(jq -c '.methodSettings["*/*"] | [.throttlingBurstLimit, .throttlingRateLimit]' <<<"$s")" "[100,50]"
check "minimal: tags kept" "$(jq -c .tags <<<"$s")" '{"Environment":"production","Project":"API Project"}'
alchemy_run minimal --destroy
check "minimal destroy exits 0" "$rc" 0
check "minimal: stage deleted" "$(stage_exists production)" no

echo "== Advanced example (verbatim)"
# Its access log format has no $context.requestId, which API Gateway
# rejects; Alchemy must fail and report that error, leaving no stage.
render
alchemy_run advanced
check "advanced create fails" "$([[ $rc -ne 0 ]] && echo yes || echo no)" yes
check "advanced: Alchemy reports API Gateway's error" \
	"$(grep -qF 'Access Log format must include either $context.requestId or $context.extendedRequestId' "$E2E_TMP/out" && echo yes || echo no)" yes
check "advanced: no stage left" "$(stage_exists staging)" no
alchemy_run advanced --destroy
check "advanced destroy exits 0" "$rc" 0
check "advanced: still no stage" "$(stage_exists staging)" no

echo "== Advanced example with \$context.requestId added to the format"
# The same example made acceptable, to exercise canary and access log
# settings through Alchemy end to end.
render 's/Format: "\$context.identity.sourceIp/Format: "$context.requestId $context.identity.sourceIp/'
alchemy_run advanced
check "advanced(requestId) create exits 0" "$rc" 0
s=$(stage staging)
check "advanced: stage serves the latest deployment" "$(jq -r .deploymentId <<<"$s")" "$dep2"
check "advanced: canary on the given deployment" "$(jq -c '.canarySettings | [.deploymentId, .percentTraffic]' <<<"$s")" "[\"$dep1\",10]"
check "advanced: access log destination" "$(jq -r .accessLogSettings.destinationArn <<<"$s")" "arn:aws:logs:us-east-1:123456789012:log-group:ApiAccessLogs"
check "advanced: */* throttling" "$(jq -c '.methodSettings["*/*"] | [.throttlingBurstLimit, .throttlingRateLimit]' <<<"$s")" "[200,100]"
render 's/Format: "\$context.identity.sourceIp/Format: "$context.requestId $context.identity.sourceIp/; s/PercentTraffic: 10,/PercentTraffic: 20,/'
alchemy_run advanced
check "advanced(requestId) update exits 0" "$rc" 0
check "advanced: canary percentage updated" "$(stage staging | jq -c '.canarySettings.percentTraffic')" 20
alchemy_run advanced --destroy
check "advanced(requestId) destroy exits 0" "$rc" 0
check "advanced: stage deleted" "$(stage_exists staging)" no

echo "== Cache settings example"
render
alchemy_run cached
check "cached create exits 0" "$rc" 0
s=$(stage cached)
check "cached: cache cluster" "$(jq -c '[.cacheClusterEnabled, .cacheClusterSize]' <<<"$s")" '[true,"0.5"]'
check "cached: */* caching" "$(jq -c '.methodSettings["*/*"] | [.cachingEnabled, .cacheTtlInSeconds]' <<<"$s")" "[true,300]"
check "cached: attached to the latest deployment" "$(jq -r .deploymentId <<<"$s")" "$dep2"
render 's/CacheTtlInSeconds: 300/CacheTtlInSeconds: 600/'
alchemy_run cached
check "cached update exits 0" "$rc" 0
check "cached: ttl updated" "$(stage cached | jq -c '.methodSettings["*/*"] | [.cachingEnabled, .cacheTtlInSeconds]')" "[true,600]"
alchemy_run cached --destroy
check "cached destroy exits 0" "$rc" 0
check "cached: stage deleted" "$(stage_exists cached)" no

check "no stages left" "$(api GET "/restapis/$api_id/stages" | jq -c '.item | length')" 0

finish
