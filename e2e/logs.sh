#!/usr/bin/env bash
# Stage observability end to end, with the Debian AWS CLI against a real
# stagecoach binary (started with --log-stdout):
#   1. the CloudWatch Logs API subset: groups, retention, streams,
#      put/get/filter, `aws logs tail` with and without --follow, errors;
#   2. the seed guide's CloudWatch settings: set the account's role ARN,
#      enable INFO logs with full request/response data and detailed
#      metrics, set an access log format, invoke the stage, read the lines
#      back with `aws logs` and the metrics with an HTTP scrape.
source "$(dirname "$0")/lib.sh"
start_server --log-stdout

awslogs() { "$AWS_BIN" --endpoint-url "$STAGECOACH_URL" --output json logs "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- 1. The Logs API. ---
awslogs create-log-group --log-group-name /e2e/app
expect_error "create-log-group twice" "ResourceAlreadyExistsException" -- awslogs create-log-group --log-group-name /e2e/app
expect_error "invalid group name" "InvalidParameterException" -- awslogs create-log-group --log-group-name 'bad name!'
awslogs put-retention-policy --log-group-name /e2e/app --retention-in-days 7
expect_error "retention 2 days" "InvalidParameterException" -- awslogs put-retention-policy --log-group-name /e2e/app --retention-in-days 2
expect_error "retention of missing group" "ResourceNotFoundException" -- awslogs put-retention-policy --log-group-name /e2e/nope --retention-in-days 7
G=$(awslogs describe-log-groups --log-group-name-prefix /e2e/)
check "describe-log-groups name and retention" "$(jq -c '[.logGroups[] | [.logGroupName,.retentionInDays]]' <<<"$G")" '[["/e2e/app",7]]'
check "log group arn" "$(jq -r '.logGroups[0].arn' <<<"$G")" "arn:aws:logs:us-east-1:000000000000:log-group:/e2e/app:*"

awslogs create-log-stream --log-group-name /e2e/app --log-stream-name web-1
T=$(now_ms)
awslogs put-log-events --log-group-name /e2e/app --log-stream-name web-1 --log-events \
	"timestamp=$T,message=GET /pets 200" "timestamp=$((T + 1)),message=ERROR database timeout" \
	"timestamp=$((T + 2)),message=GET /pets/1 404 not found" >/dev/null
check "get-log-events from head" "$(awslogs get-log-events --log-group-name /e2e/app --log-stream-name web-1 --start-from-head | jq -r '[.events[].message]|join("|")')" \
	"GET /pets 200|ERROR database timeout|GET /pets/1 404 not found"
check "describe-log-streams times" "$(awslogs describe-log-streams --log-group-name /e2e/app | jq -r ".logStreams[0] | [.logStreamName, .firstEventTimestamp == $T, .lastEventTimestamp == $((T + 2))] | join(\",\")")" "web-1,true,true"
check "filter one term" "$(awslogs filter-log-events --log-group-name /e2e/app --filter-pattern ERROR | jq -r '[.events[].message]|join("|")')" "ERROR database timeout"
check "filter terms ANDed" "$(awslogs filter-log-events --log-group-name /e2e/app --filter-pattern 'GET 404' | jq -r '[.events[].message]|join("|")')" "GET /pets/1 404 not found"
check "filter quoted phrase" "$(awslogs filter-log-events --log-group-name /e2e/app --filter-pattern '"not found"' | jq -r '.events|length')" "1"
check "filter-log-events paginates" "$(awslogs filter-log-events --log-group-name /e2e/app --page-size 1 | jq -r '.events|length')" "3"
check "tail" "$("$AWS_BIN" --endpoint-url "$STAGECOACH_URL" logs tail /e2e/app --since 5m --format short | sed 's/^[^ ]* //' | paste -sd'|')" \
	"GET /pets 200|ERROR database timeout|GET /pets/1 404 not found"

# tail --follow polls every 5 seconds; an event written while it runs shows up.
FOLLOW="$E2E_TMP/follow.txt"
timeout 60 "$AWS_BIN" --endpoint-url "$STAGECOACH_URL" logs tail /e2e/app --follow --since 5m --format short >"$FOLLOW" 2>&1 &
FOLLOW_PID=$!
# Write the event once tail has printed the earlier ones (it is following
# by then), and wait until it shows the new one or gives up: paced by what
# tail printed, bounded by tail's own 60s timeout.
while kill -0 "$FOLLOW_PID" 2>/dev/null && ! grep -q "ERROR database timeout" "$FOLLOW"; do sleep 0.1; done
awslogs put-log-events --log-group-name /e2e/app --log-stream-name web-1 --log-events "timestamp=$(now_ms),message=followed line" >/dev/null
while kill -0 "$FOLLOW_PID" 2>/dev/null && ! grep -q "followed line" "$FOLLOW"; do sleep 0.1; done
kill "$FOLLOW_PID" 2>/dev/null || true
wait "$FOLLOW_PID" 2>/dev/null || true
check "tail --follow shows a new event once" "$(grep -c 'followed line' "$FOLLOW")" "1"
check "tail --follow shows earlier events once" "$(grep -c 'ERROR database timeout' "$FOLLOW")" "1"

awslogs delete-log-group --log-group-name /e2e/app
expect_error "delete-log-group twice" "ResourceNotFoundException" -- awslogs delete-log-group --log-group-name /e2e/app
expect_error "filter a deleted group" "ResourceNotFoundException" -- awslogs filter-log-events --log-group-name /e2e/app

# --- 2. The seed guide's CloudWatch settings on a real stage. ---
API=$(awsgw create-rest-api --name pets | jq -r .id)
ROOT=$(awsgw get-resources --rest-api-id "$API" | jq -r '.items[] | select(.path=="/") | .id')
PETS=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part pets | jq -r .id)
mock_get "$API" "$PETS" '[{"id":1}]'
awsgw create-deployment --rest-api-id "$API" --stage-name prod >/dev/null
awsgw update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=arn:aws:iam::123456789012:role/apigw-logs >/dev/null
ACCESS_FORMAT='{ "requestId":"$context.requestId", "ip": "$context.identity.sourceIp", "httpMethod":"$context.httpMethod", "resourcePath":"$context.resourcePath", "status":"$context.status", "userAgent":"$context.identity.userAgent" }'
# The format has quotes and commas, so the patch goes as JSON.
PATCH=$(jq -nc --arg f "$ACCESS_FORMAT" '[
	{op:"replace",path:"/*/*/logging/loglevel",value:"INFO"},
	{op:"replace",path:"/*/*/logging/dataTrace",value:"true"},
	{op:"replace",path:"/*/*/metrics/enabled",value:"true"},
	{op:"replace",path:"/accessLogSettings/destinationArn",value:"arn:aws:logs:us-east-1:000000000000:log-group:pets-access"},
	{op:"replace",path:"/accessLogSettings/format",value:$f}]')
S=$(awsgw update-stage --rest-api-id "$API" --stage-name prod --patch-operations "$PATCH")
check "stage logging settings" "$(jq -c '[.methodSettings["*/*"] | .loggingLevel,.dataTraceEnabled,.metricsEnabled]' <<<"$S")" '["INFO",true,true]'
check "stage access log format" "$(jq -r .accessLogSettings.format <<<"$S")" "$ACCESS_FORMAT"

RID=$(curl -s -D - -o /dev/null -A 'e2e "quoted" agent' -H 'Authorization: Bearer e2e-secret-token-123456' \
	"$STAGECOACH_URL/restapis/$API/prod/_user_request_/pets" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-amzn-requestid"{print $2}')
check "invoke returns a request id" "$([[ -n "$RID" ]] && echo yes)" "yes"
EXEC_GROUP="API-Gateway-Execution-Logs_$API/prod"
for _ in $(seq 1 300); do # the recorder writes in the background: up to 30s on a loaded machine
	awslogs filter-log-events --log-group-name "$EXEC_GROUP" --filter-pattern "\"$RID\"" 2>/dev/null | jq -e '.events|length > 0' >/dev/null && break
	sleep 0.1
done
EXEC=$(awslogs filter-log-events --log-group-name "$EXEC_GROUP" --filter-pattern "\"($RID)\"" 2>/dev/null | jq -r '.events[].message' || true)
check "execution log: starting" "$(grep -c "^($RID) Starting execution for request: $RID$" <<<"$EXEC")" "1"
check "execution log: completed" "$(grep -c "^($RID) Method completed with status: 200$" <<<"$EXEC")" "1"
check "execution log: data trace shows the response body" "$(grep -c "^($RID) Method response body after transformations: \[{\"id\":1}\]$" <<<"$EXEC")" "1"
check "execution log: Authorization masked" "$(grep -c "^($RID) Method request headers: {.*Authorization=\*\{24\}123456[,}]" <<<"$EXEC")" "1"
check "execution log: no secret in clear" "$(grep -c 'e2e-secret-token' <<<"$EXEC")" "0"
ACCESS=$(awslogs filter-log-events --log-group-name pets-access --filter-pattern "\"$RID\"" 2>/dev/null | jq -r '.events[0].message' || true)
check "access log is JSON with the escaped user agent" "$(jq -c '[.requestId == "'"$RID"'", .httpMethod, .resourcePath, .status, .userAgent]' <<<"$ACCESS" 2>/dev/null)" \
	'[true,"GET","/pets","200","e2e \"quoted\" agent"]'
check "tail the execution log" "$("$AWS_BIN" --endpoint-url "$STAGECOACH_URL" logs tail "$EXEC_GROUP" --since 5m --format short | grep -c "($RID) Method completed")" "1"
check "--log-stdout mirrors the lines" "$(grep -c "\"message\":\"($RID) Method completed with status: 200\"" "$E2E_TMP/server.log")" "1"

METRICS=$(curl -s "$STAGECOACH_URL/metrics")
check "metrics: stage Count" "$(grep -c '^apigateway_Count{ApiName="pets",Method="",Resource="",Stage="prod"} 1$' <<<"$METRICS")" "1"
check "metrics: detailed Count" "$(grep -c '^apigateway_Count{ApiName="pets",Method="GET",Resource="/pets",Stage="prod"} 1$' <<<"$METRICS")" "1"
check "metrics: Latency histogram" "$(grep -c '^apigateway_Latency_count{ApiName="pets",Method="",Resource="",Stage="prod"} 1$' <<<"$METRICS")" "1"
check "metrics: nothing dropped" "$(grep -c '^stagecoach_log_requests_dropped_total 0$' <<<"$METRICS")" "1"

finish
