#!/usr/bin/env bash
# End-to-end test of Cloud Control with the AWS CLI: the seed's stage
# examples (shared/seeds/001) go through `aws cloudcontrol create-resource`,
# get-resource, get-resource-request-status, update-resource and
# delete-resource against a freshly started Stagecoach, and every answer is
# checked with jq (and the stages themselves with `aws apigateway`).
#
# Needs go, aws (v1 or v2; Debian's /usr/bin/aws where present, see
# lib.sh), curl and jq. Prints "N passed, M failed" last
# and exits non-zero on any failure.
source "$(dirname "$0")/lib.sh"
for tool in go "$AWS_BIN" curl jq; do
	command -v "$tool" >/dev/null || { echo "cloudcontrol.sh: $tool is required" >&2; exit 2; }
done

start_server
endpoint="$STAGECOACH_URL"
echo "stagecoach at $endpoint"

export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
awsj() { "$AWS_BIN" --endpoint-url "$endpoint" --output json "$@"; }
# awserr runs a command that must fail and prints its error output.
awserr() {
	if awsj "$@" >"$E2E_TMP/stdout" 2>"$E2E_TMP/stderr"; then echo "unexpected success"; else cat "$E2E_TMP/stderr"; fi
}

# A real API with GET / (MOCK) and two deployments, a second apart so the
# latest is well defined (createdDate has whole seconds).
api_id=$(awsj apigateway create-rest-api --name cloudcontrol-e2e | jq -r .id)
root=$(awsj apigateway get-resources --rest-api-id "$api_id" | jq -r '.items[] | select(.path == "/") | .id')
awsj apigateway put-method --rest-api-id "$api_id" --resource-id "$root" --http-method GET --authorization-type NONE >/dev/null
awsj apigateway put-integration --rest-api-id "$api_id" --resource-id "$root" --http-method GET --type MOCK \
	--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
dep1=$(awsj apigateway create-deployment --rest-api-id "$api_id" | jq -r .id)
sleep 1.1
dep2=$(awsj apigateway create-deployment --rest-api-id "$api_id" | jq -r .id)
awsj apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=arn:aws:iam::123456789012:role/apigw-logs >/dev/null
echo "API $api_id, deployments $dep1 (first) $dep2 (latest)"

T=AWS::ApiGateway::Stage
stage() { awsj apigateway get-stage --rest-api-id "$api_id" --stage-name "$1"; }

echo "== Minimal example: create"
desired=$(jq -nc --arg api "$api_id" '{RestApiId: $api, StageName: "production", Description: "Production stage for the API",
	MethodSettings: [{HttpMethod: "*", ResourcePath: "/*", ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50}],
	Tags: [{Key: "Environment", Value: "production"}, {Key: "Project", Value: "API Project"}]}')
ev=$(awsj cloudcontrol create-resource --type-name "$T" --desired-state "$desired")
check "create: SUCCESS" "$(jq -r .ProgressEvent.OperationStatus <<<"$ev")" SUCCESS
check "create: operation" "$(jq -r .ProgressEvent.Operation <<<"$ev")" CREATE
check "create: identifier" "$(jq -r .ProgressEvent.Identifier <<<"$ev")" "$api_id|production"
token=$(jq -r .ProgressEvent.RequestToken <<<"$ev")
st=$(awsj cloudcontrol get-resource-request-status --request-token "$token")
check "status: SUCCESS" "$(jq -r .ProgressEvent.OperationStatus <<<"$st")" SUCCESS
check "status: same identifier" "$(jq -r .ProgressEvent.Identifier <<<"$st")" "$api_id|production"
got=$(awsj cloudcontrol get-resource --type-name "$T" --identifier "$api_id|production")
props=$(jq -r .ResourceDescription.Properties <<<"$got")
check "get: Properties is a JSON string" "$(jq -r type <<<"$props")" object
check "get: attached to the latest deployment" "$(jq -r .DeploymentId <<<"$props")" "$dep2"
check "get: method settings" "$(jq -c '.MethodSettings[0] | [.HttpMethod, .ResourcePath, .ThrottlingBurstLimit, .ThrottlingRateLimit]' <<<"$props")" '["*","/*",100,50]'
check "get: tags" "$(jq -c .Tags <<<"$props")" '[{"Key":"Environment","Value":"production"},{"Key":"Project","Value":"API Project"}]'
s=$(stage production)
check "apigateway: */* throttling" "$(jq -c '.methodSettings["*/*"] | [.throttlingBurstLimit, .throttlingRateLimit]' <<<"$s")" "[100,50]"
check "apigateway: tags" "$(jq -c .tags <<<"$s")" '{"Environment":"production","Project":"API Project"}'

echo "== Minimal example: update"
patch=$(jq -nc --arg api "$api_id" '[{op: "add", path: "/RestApiId", value: $api},
	{op: "replace", path: "/Description", value: "Production stage for the API, v2"}]')
ev=$(awsj cloudcontrol update-resource --type-name "$T" --identifier "$api_id|production" --patch-document "$patch")
check "update: SUCCESS" "$(jq -r .ProgressEvent.OperationStatus <<<"$ev")" SUCCESS
st=$(awsj cloudcontrol get-resource-request-status --request-token "$(jq -r .ProgressEvent.RequestToken <<<"$ev")")
check "update status: SUCCESS" "$(jq -r .ProgressEvent.OperationStatus <<<"$st")" SUCCESS
check "update: description changed" "$(stage production | jq -r .description)" "Production stage for the API, v2"
err=$(awserr cloudcontrol update-resource --type-name "$T" --identifier "$api_id|production" \
	--patch-document '[{"op":"replace","path":"/StageName","value":"prod2"}]')
check "update of StageName: NotUpdatableException" \
	"$(grep -o 'NotUpdatableException.*createOnlyProperties \[/properties/StageName\] cannot be updated' <<<"$err" | head -1 | cut -c1-21)" NotUpdatableException

echo "== Cache settings example"
desired=$(jq -nc --arg api "$api_id" '{RestApiId: $api, StageName: "cached", CacheClusterEnabled: true, CacheClusterSize: "0.5",
	MethodSettings: [{HttpMethod: "*", ResourcePath: "/*", CachingEnabled: true, CacheTtlInSeconds: 300}]}')
ev=$(awsj cloudcontrol create-resource --type-name "$T" --desired-state "$desired")
check "cached create: SUCCESS" "$(jq -r .ProgressEvent.OperationStatus <<<"$ev")" SUCCESS
check "cached: cache cluster" "$(stage cached | jq -c '[.cacheClusterEnabled, .cacheClusterSize]')" '[true,"0.5"]'
ev=$(awsj cloudcontrol update-resource --type-name "$T" --identifier "$api_id|cached" \
	--patch-document '[{"op":"replace","path":"/MethodSettings/0/CacheTtlInSeconds","value":600}]')
check "cached update: SUCCESS" "$(jq -r .ProgressEvent.OperationStatus <<<"$ev")" SUCCESS
check "cached: ttl updated" "$(stage cached | jq -c '.methodSettings["*/*"] | [.cachingEnabled, .cacheTtlInSeconds]')" "[true,600]"

echo "== Advanced example (verbatim: its access log format lacks \$context.requestId)"
desired=$(jq -nc --arg api "$api_id" --arg dep "$dep1" '{RestApiId: $api, StageName: "staging", Description: "Staging stage for the API",
	CanarySetting: {PercentTraffic: 10, DeploymentId: $dep},
	AccessLogSetting: {DestinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:ApiAccessLogs", Format: "$context.identity.sourceIp - $context.identity.caller"},
	MethodSettings: [{HttpMethod: "*", ResourcePath: "/*", ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100}]}')
ev=$(awsj cloudcontrol create-resource --type-name "$T" --desired-state "$desired")
check "advanced create: FAILED" "$(jq -r .ProgressEvent.OperationStatus <<<"$ev")" FAILED
check "advanced: ErrorCode" "$(jq -r .ProgressEvent.ErrorCode <<<"$ev")" InvalidRequest
check "advanced: StatusMessage" "$(jq -r .ProgressEvent.StatusMessage <<<"$ev")" 'Access Log format must include either $context.requestId or $context.extendedRequestId'
check "advanced: Identifier" "$(jq -r .ProgressEvent.Identifier <<<"$ev")" "$api_id|staging"
st=$(awsj cloudcontrol get-resource-request-status --request-token "$(jq -r .ProgressEvent.RequestToken <<<"$ev")")
check "advanced status: FAILED InvalidRequest" "$(jq -r '.ProgressEvent | .OperationStatus + " " + .ErrorCode' <<<"$st")" "FAILED InvalidRequest"
err=$(awserr cloudcontrol get-resource --type-name "$T" --identifier "$api_id|staging")
check "advanced: no stage (ResourceNotFoundException)" "$(grep -o ResourceNotFoundException <<<"$err" | head -1)" ResourceNotFoundException

echo "== Advanced example with \$context.requestId in the format"
desired=$(jq -c '.AccessLogSetting.Format = "$context.requestId " + .AccessLogSetting.Format' <<<"$desired")
ev=$(awsj cloudcontrol create-resource --type-name "$T" --desired-state "$desired")
check "advanced create: SUCCESS" "$(jq -r .ProgressEvent.OperationStatus <<<"$ev")" SUCCESS
s=$(stage staging)
check "advanced: canary" "$(jq -c '.canarySettings | [.deploymentId, .percentTraffic]' <<<"$s")" "[\"$dep1\",10]"
check "advanced: serves the latest deployment" "$(jq -r .deploymentId <<<"$s")" "$dep2"
ev=$(awsj cloudcontrol update-resource --type-name "$T" --identifier "$api_id|staging" \
	--patch-document '[{"op":"replace","path":"/CanarySetting/PercentTraffic","value":20},{"op":"remove","path":"/AccessLogSetting"}]')
check "advanced update: SUCCESS" "$(jq -r .ProgressEvent.OperationStatus <<<"$ev")" SUCCESS
check "advanced: canary 20%, access log off" "$(stage staging | jq -c '[.canarySettings.percentTraffic, .accessLogSettings]')" "[20,null]"

echo "== List and delete"
list=$(awsj cloudcontrol list-resources --type-name "$T" --resource-model "{\"RestApiId\":\"$api_id\"}")
check "list: identifiers" "$(jq -c '[.ResourceDescriptions[].Identifier]' <<<"$list")" "[\"$api_id|cached\",\"$api_id|production\",\"$api_id|staging\"]"
for name in production cached staging; do
	ev=$(awsj cloudcontrol delete-resource --type-name "$T" --identifier "$api_id|$name")
	check "delete $name: SUCCESS" "$(jq -r .ProgressEvent.OperationStatus <<<"$ev")" SUCCESS
	st=$(awsj cloudcontrol get-resource-request-status --request-token "$(jq -r .ProgressEvent.RequestToken <<<"$ev")")
	check "delete $name status: DELETE SUCCESS" "$(jq -r '.ProgressEvent | .Operation + " " + .OperationStatus' <<<"$st")" "DELETE SUCCESS"
done
check "no stages left" "$(awsj apigateway get-stages --rest-api-id "$api_id" | jq -c '.item | length')" 0
ev=$(awsj cloudcontrol delete-resource --type-name "$T" --identifier "$api_id|production")
check "delete again: FAILED NotFound with the identifier" "$(jq -r '.ProgressEvent | .OperationStatus + " " + .ErrorCode + " " + .Identifier' <<<"$ev")" "FAILED NotFound $api_id|production"
err=$(awserr cloudcontrol get-resource --type-name AWS::ApiGateway::Nope --identifier x)
check "unknown type: TypeNotFoundException" "$(grep -o TypeNotFoundException <<<"$err" | head -1)" TypeNotFoundException

finish
