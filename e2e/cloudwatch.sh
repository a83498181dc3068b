#!/usr/bin/env bash
# Stage metrics through the CloudWatch API, end to end with the Debian AWS
# CLI (awsQuery: form POST, XML answers) against a real stagecoach binary:
# traffic to two stages of one API — prod with detailed metrics, dev
# without — then list-metrics, get-metric-statistics (counts, error
# counts, percentiles) and get-metric-data (stats and metric math) for
# each dimension set, AWS's errors, and nothing for a deleted stage. If
# node and npm are present, the JS SDK v3 reads the same numbers
# (cloudwatch-js/, installed with npm ci from its lockfile).
source "$(dirname "$0")/lib.sh"
start_server

awscw() { "$AWS_BIN" --endpoint-url "$STAGECOACH_URL" --output json cloudwatch "$@"; }
invoke() { curl -s -o /dev/null -w '%{http_code}' "$STAGECOACH_URL/restapis/$API/$1/_user_request_$2"; }

API=$(awsgw create-rest-api --name pets | jq -r .id)
ROOT=$(awsgw get-resources --rest-api-id "$API" | jq -r '.items[] | select(.path=="/") | .id')
PETS=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part pets | jq -r .id)
mock_get "$API" "$PETS" '[{"id":1}]'
# GET /down proxies to a closed port: a 5XX.
DOWN=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part down | jq -r .id)
awsgw put-method --rest-api-id "$API" --resource-id "$DOWN" --http-method GET --authorization-type NONE >/dev/null
awsgw put-integration --rest-api-id "$API" --resource-id "$DOWN" --http-method GET --type HTTP_PROXY \
	--integration-http-method GET --uri "http://127.0.0.1:$(free_port)/down" >/dev/null
DEP=$(awsgw create-deployment --rest-api-id "$API" --stage-name prod | jq -r .id)
awsgw create-stage --rest-api-id "$API" --stage-name dev --deployment-id "$DEP" >/dev/null
awsgw update-stage --rest-api-id "$API" --stage-name prod \
	--patch-operations 'op=replace,path=/*/*/metrics/enabled,value=true' >/dev/null

# The stage update is applied asynchronously: wait until prod serves.
for _ in $(seq 1 100); do [[ "$(invoke prod /pets)" == 200 ]] && break; sleep 0.05; done
START=$(date -u -d '-10 min' +%Y-%m-%dT%H:%M:%SZ)
END=$(date -u -d '+10 min' +%Y-%m-%dT%H:%M:%SZ)
# The first prod call above counts too: prod gets 5 x 200 in all.
for _ in 1 2 3 4; do invoke prod /pets >/dev/null; done
check "prod 5XX" "$(invoke prod /down | cut -c1)" "5"
check "prod unknown path" "$(invoke prod /nope)" "403"
for _ in 1 2 3; do invoke dev /pets >/dev/null; done

# One 20-minute period around now holds all of it.
stat() { # METRIC STATISTIC DIMENSIONS...
	local m="$1" s="$2"
	shift 2
	awscw get-metric-statistics --namespace AWS/ApiGateway --metric-name "$m" --dimensions "$@" \
		--start-time "$START" --end-time "$END" --period 1200 --statistics "$s" | jq -r "[.Datapoints[].$s] | map(tostring) | join(\",\")"
}
A="Name=ApiName,Value=pets"
check "Count, ApiName" "$(stat Count Sum "$A")" "10"
check "Count, ApiName+Stage prod" "$(stat Count Sum "$A" Name=Stage,Value=prod)" "7"
check "Count, ApiName+Stage dev" "$(stat Count Sum "$A" Name=Stage,Value=dev)" "3"
check "Count, prod GET /pets" "$(stat Count Sum "$A" Name=Stage,Value=prod Name=Method,Value=GET Name=Resource,Value=/pets)" "5"
check "no method series on dev" "$(stat Count Sum "$A" Name=Stage,Value=dev Name=Method,Value=GET Name=Resource,Value=/pets)" ""
check "4XXError, prod" "$(stat 4XXError Sum "$A" Name=Stage,Value=prod)" "1"
check "5XXError, prod" "$(stat 5XXError Sum "$A" Name=Stage,Value=prod)" "1"
check "5XXError, dev" "$(stat 5XXError Sum "$A" Name=Stage,Value=dev)" "0"
check "SampleCount of 4XXError" "$(stat 4XXError SampleCount "$A" Name=Stage,Value=prod)" "7"
check "Unit" "$(awscw get-metric-statistics --namespace AWS/ApiGateway --metric-name Latency --dimensions "$A" \
	--start-time "$START" --end-time "$END" --period 1200 --statistics Maximum | jq -r '.Datapoints[0].Unit')" "Milliseconds"
P=$(awscw get-metric-statistics --namespace AWS/ApiGateway --metric-name Latency --dimensions "$A" Name=Stage,Value=prod \
	--start-time "$START" --end-time "$END" --period 1200 --extended-statistics p50 p90 p99 p99.9)
check "percentiles p50 <= p90 <= p99 <= p99.9" "$(jq -r '.Datapoints[0].ExtendedStatistics | .p50 <= .p90 and .p90 <= .p99 and .p99 <= ."p99.9"' <<<"$P")" "true"
MAX=$(stat Latency Maximum "$A" Name=Stage,Value=prod)
check "p99.9 within the maximum (1% histogram accuracy, clamped)" "$(jq -r --argjson max "$MAX" '.Datapoints[0].ExtendedStatistics."p99.9" <= $max' <<<"$P")" "true"

LM=$(awscw list-metrics --namespace AWS/ApiGateway)
check "list-metrics dimension sets" "$(jq -c '[.Metrics[] | select(.MetricName=="Count") | [.Dimensions[] | .Name + "=" + .Value] | join(",")] | sort' <<<"$LM")" \
	'["ApiName=pets","ApiName=pets,Method=GET,Resource=/down,Stage=prod","ApiName=pets,Method=GET,Resource=/pets,Stage=prod","ApiName=pets,Stage=dev","ApiName=pets,Stage=prod"]'
check "list-metrics metric names" "$(jq -c '[.Metrics[] | select(.Dimensions|length==1) | .MetricName] | sort' <<<"$LM")" \
	'["4XXError","5XXError","CacheHitCount","CacheMissCount","Count","IntegrationLatency","Latency"]'
check "list-metrics --dimensions filter" "$(awscw list-metrics --metric-name Count --dimensions Name=Stage,Value=dev | jq '.Metrics|length')" "1"

Q='[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"AWS/ApiGateway","MetricName":"Count","Dimensions":[{"Name":"ApiName","Value":"pets"},{"Name":"Stage","Value":"prod"}]},"Period":1200,"Stat":"Sum"}},
{"Id":"m2","MetricStat":{"Metric":{"Namespace":"AWS/ApiGateway","MetricName":"4XXError","Dimensions":[{"Name":"ApiName","Value":"pets"},{"Name":"Stage","Value":"prod"}]},"Period":1200,"Stat":"Sum"}},
{"Id":"e1","Expression":"m2/m1*100","Label":"4xx rate"},{"Id":"e2","Expression":"SUM(METRICS())"}]'
D=$(awscw get-metric-data --start-time "$START" --end-time "$END" --metric-data-queries "$Q")
check "get-metric-data values" "$(jq -c '[.MetricDataResults[] | [.Id, .Label, (.Values|map(.*1000|round/1000))]]' <<<"$D")" \
	'[["m1","Count",[7]],["m2","4XXError",[1]],["e1","4xx rate",[14.286]],["e2","e2",[8]]]'
check "get-metric-data status" "$(jq -r '[.MetricDataResults[].StatusCode]|unique|join(",")' <<<"$D")" "Complete"

expect_error "unsupported expression" "ValidationError" -- awscw get-metric-data --start-time "$START" --end-time "$END" \
	--metric-data-queries '[{"Id":"e1","Expression":"RATE(METRICS())"}]'
expect_error "bad statistic" "not a valid statistic" -- awscw get-metric-data --start-time "$START" --end-time "$END" \
	--metric-data-queries '[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"AWS/ApiGateway","MetricName":"Count"},"Period":60,"Stat":"Total"}}]'
expect_error "period not a multiple of 60" "InvalidParameterValue" -- awscw get-metric-statistics --namespace AWS/ApiGateway \
	--metric-name Count --start-time "$START" --end-time "$END" --period 90 --statistics Sum
expect_error "too many datapoints" "exceeds the limit of 1440" -- awscw get-metric-statistics --namespace AWS/ApiGateway \
	--metric-name Count --start-time 2026-01-01T00:00:00Z --end-time 2026-01-03T00:00:00Z --period 60 --statistics Sum

# The JS SDK v3 (3.1164: awsJson 1.0, awsQuery-compatible) reads the same
# numbers, where node is here. 33 metrics: 5 dimension sets x 7, less
# IntegrationLatency where no backend was called (MOCK-only dev and prod
# GET /pets).
JS="$(dirname "$0")/cloudwatch-js"
if command -v node >/dev/null && command -v npm >/dev/null; then
	if [[ ! -d "$JS/node_modules/@aws-sdk/client-cloudwatch" ]]; then
		(cd "$JS" && npm ci --no-audit --no-fund --loglevel=error >"$E2E_TMP/npm.log" 2>&1) || { cat "$E2E_TMP/npm.log" >&2; exit 2; }
	fi
	check "JS SDK v3: prod Count, 4XXError and list-metrics" "$(STAGECOACH_URL="$STAGECOACH_URL" START="$START" END="$END" NODE_NO_WARNINGS=1 node "$JS/check.mjs" 2>&1)" "7 1 33"
else
	echo "skip - JS SDK v3 check (no node/npm)"
fi

# Deleting dev: nothing is reported for it, and /metrics forgets it too.
awsgw delete-stage --rest-api-id "$API" --stage-name dev
for _ in $(seq 1 100); do [[ "$(invoke dev /pets)" == 403 ]] && break; sleep 0.05; done
check "deleted stage: no datapoints" "$(stat Count Sum "$A" Name=Stage,Value=dev)" ""
check "deleted stage: not listed" "$(awscw list-metrics --dimensions Name=Stage,Value=dev | jq '.Metrics|length')" "0"
check "deleted stage: ApiName totals without it" "$(stat Count Sum "$A")" "7"
check "deleted stage: gone from /metrics" "$(curl -s "$STAGECOACH_URL/metrics" | grep -c 'Stage="dev"' || true)" "0"
finish
