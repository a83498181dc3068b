#!/usr/bin/env bash
# Walks the three flows of the API Gateway console guide to stages
# (shared/seeds/000: create a stage on an existing deployment; update the
# stage's cache, CloudWatch and throttling settings with a per-method
# override; delete the stage) with the Debian AWS CLI against a real
# stagecoach binary, checking the JSON that comes back.
source "$(dirname "$0")/lib.sh"
start_server

# --- An API with one method, deployed to prod (the "initial deployment"). ---
API=$(awsgw create-rest-api --name pets --description "Pet store" | jq -r .id)
check "create-rest-api returns a 10-char id" "${#API}" "10"
ROOT=$(awsgw get-resources --rest-api-id "$API" | jq -r '.items[] | select(.path=="/") | .id')
PETS=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part pets | jq -r .id)
PET=$(awsgw create-resource --rest-api-id "$API" --parent-id "$PETS" --path-part '{petId}' | jq -r .path)
check "create-resource {petId} path" "$PET" "/pets/{petId}"
mock_get "$API" "$PETS" '[{"id":1,"type":"dog"}]'
DEP1=$(awsgw create-deployment --rest-api-id "$API" --stage-name prod --description "first" | jq -r .id)
check "create-deployment --stage-name prod creates prod" "$(awsgw get-stage --rest-api-id "$API" --stage-name prod | jq -r .deploymentId)" "$DEP1"

# --- Flow 1: Create a new stage on an existing deployment. ---
STAGE=$(awsgw create-stage --rest-api-id "$API" --stage-name staging --deployment-id "$DEP1" \
	--description "Staging stage" --variables backend=v2 --tags Environment=staging)
check "create-stage name" "$(jq -r .stageName <<<"$STAGE")" "staging"
check "create-stage description" "$(jq -r .description <<<"$STAGE")" "Staging stage"
check "create-stage deployment" "$(jq -r .deploymentId <<<"$STAGE")" "$DEP1"
check "create-stage variables" "$(jq -c .variables <<<"$STAGE")" '{"backend":"v2"}'
check "create-stage tags" "$(jq -c .tags <<<"$STAGE")" '{"Environment":"staging"}'
check "create-stage cache off by default" "$(jq -r '.cacheClusterEnabled,.cacheClusterStatus' <<<"$STAGE" | paste -sd,)" "false,NOT_AVAILABLE"
check "create-stage methodSettings is {}" "$(jq -c .methodSettings <<<"$STAGE")" "{}"
check "get-stages lists both" "$(awsgw get-stages --rest-api-id "$API" | jq -r '[.item[].stageName]|sort|join(",")')" "prod,staging"
expect_error "create-stage duplicate" "ConflictException" -- \
	awsgw create-stage --rest-api-id "$API" --stage-name staging --deployment-id "$DEP1"
expect_error "create-stage unknown deployment" "BadRequestException" -- \
	awsgw create-stage --rest-api-id "$API" --stage-name qa --deployment-id nosuchdepl
expect_error "create-stage bad name" "BadRequestException" -- \
	awsgw create-stage --rest-api-id "$API" --stage-name 'bad name!' --deployment-id "$DEP1"
expect_error "get-stage unknown" "Invalid Stage identifier specified" -- \
	awsgw get-stage --rest-api-id "$API" --stage-name nosuch

# --- Flow 2: Update stage settings in the Stage Editor. ---
# Cache settings: enable API cache, capacity, encryption, TTL, per-key invalidation.
S=$(awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations \
	op=replace,path=/cacheClusterEnabled,value=true \
	op=replace,path=/cacheClusterSize,value=1.6 \
	'op=replace,path=/*/*/caching/enabled,value=true' \
	'op=replace,path=/*/*/caching/dataEncrypted,value=true' \
	'op=replace,path=/*/*/caching/ttlInSeconds,value=600' \
	'op=replace,path=/*/*/caching/requireAuthorizationForCacheControl,value=true' \
	'op=replace,path=/*/*/caching/unauthorizedCacheControlHeaderStrategy,value=FAIL_WITH_403')
check "cache enabled" "$(jq -r '.cacheClusterEnabled,.cacheClusterSize,.cacheClusterStatus' <<<"$S" | paste -sd,)" "true,1.6,AVAILABLE"
check "*/* caching" "$(jq -c '.methodSettings["*/*"] | [.cachingEnabled,.cacheDataEncrypted,.cacheTtlInSeconds,.requireAuthorizationForCacheControl,.unauthorizedCacheControlHeaderStrategy]' <<<"$S")" \
	'[true,true,600,true,"FAIL_WITH_403"]'
expect_error "ttl over 3600 rejected" "BadRequestException" -- \
	awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations 'op=replace,path=/*/*/caching/ttlInSeconds,value=3601'
expect_error "bad cache size rejected" "BadRequestException" -- \
	awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations op=replace,path=/cacheClusterSize,value=2

# CloudWatch settings need the account's role ARN first (the guide's "Important" box).
expect_error "logging needs the account role ARN" "CloudWatch Logs role ARN must be set in account settings to enable logging" -- \
	awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations 'op=replace,path=/*/*/logging/loglevel,value=INFO'
# (an entry shows loggingLevel only once it was set, as on AWS)
check "failed update changed nothing" "$(awsgw get-stage --rest-api-id "$API" --stage-name staging | jq -r '.methodSettings["*/*"].loggingLevel')" "null"
ACC=$(awsgw update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=arn:aws:iam::123456789012:role/apigw-logs)
check "update-account role ARN" "$(jq -r .cloudwatchRoleArn <<<"$ACC")" "arn:aws:iam::123456789012:role/apigw-logs"
check "account throttle defaults" "$(awsgw get-account | jq -c '.throttleSettings')" '{"burstLimit":5000,"rateLimit":10000}'
S=$(awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations \
	'op=replace,path=/*/*/logging/loglevel,value=INFO' \
	'op=replace,path=/*/*/logging/dataTrace,value=true' \
	'op=replace,path=/*/*/metrics/enabled,value=true')
check "*/* logging" "$(jq -c '.methodSettings["*/*"] | [.loggingLevel,.dataTraceEnabled,.metricsEnabled]' <<<"$S")" '["INFO",true,true]'

# Default method throttling.
S=$(awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations \
	'op=replace,path=/*/*/throttling/rateLimit,value=50' \
	'op=replace,path=/*/*/throttling/burstLimit,value=100')
check "*/* throttling" "$(jq -c '.methodSettings["*/*"] | [.throttlingRateLimit,.throttlingBurstLimit]' <<<"$S")" '[50,100]'

# Override for this method: GET /pets gets its own cache and throttling.
S=$(awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations \
	'op=replace,path=/~1pets/GET/caching/enabled,value=false' \
	'op=replace,path=/~1pets/GET/throttling/rateLimit,value=5' \
	'op=replace,path=/~1pets/GET/throttling/burstLimit,value=10' \
	'op=replace,path=/~1pets/GET/logging/loglevel,value=ERROR')
# AWS keeps the key as the patch path spelled it: /~1pets/GET/... -> "~1pets/GET"
check "override entry key" "$(jq -r '.methodSettings | keys | join(",")' <<<"$S")" "*/*,~1pets/GET"
check "override values" "$(jq -c '.methodSettings["~1pets/GET"] | [.cachingEnabled,.throttlingRateLimit,.throttlingBurstLimit,.loggingLevel]' <<<"$S")" '[false,5,10,"ERROR"]'
check "override inherits the rest from */*" "$(jq -c '.methodSettings["~1pets/GET"] | [.cacheTtlInSeconds,.dataTraceEnabled,.metricsEnabled]' <<<"$S")" '[600,true,true]'
check "stage-wide entry untouched" "$(jq -c '.methodSettings["*/*"] | [.cachingEnabled,.throttlingRateLimit]' <<<"$S")" '[true,50]'
expect_error "override on a method that does not exist" "Invalid method setting path" -- \
	awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations 'op=replace,path=/~1nosuch/GET/caching/enabled,value=true'
expect_error "unknown patch path" "Invalid method setting path: /bogus" -- \
	awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations op=replace,path=/bogus,value=1
S=$(awsgw update-stage --rest-api-id "$API" --stage-name staging --patch-operations 'op=remove,path=/~1pets/GET')
check "remove the override" "$(jq -r '.methodSettings | keys | join(",")' <<<"$S")" "*/*"
check "flush-stage-cache" "$(awsgw flush-stage-cache --rest-api-id "$API" --stage-name staging && echo ok)" "ok"

# Tags on the stage ARN.
ARN="arn:aws:apigateway:us-east-1::/restapis/$API/stages/staging"
awsgw tag-resource --resource-arn "$ARN" --tags Team=pets >/dev/null
check "get-tags" "$(awsgw get-tags --resource-arn "$ARN" | jq -c .tags)" '{"Environment":"staging","Team":"pets"}'
awsgw untag-resource --resource-arn "$ARN" --tag-keys Environment >/dev/null
check "untag-resource" "$(awsgw get-tags --resource-arn "$ARN" | jq -c .tags)" '{"Team":"pets"}'

# --- Flow 3: Delete the stage. ---
expect_error "deployment in use cannot be deleted" "Active stages pointing to this deployment must be moved or deleted" -- \
	awsgw delete-deployment --rest-api-id "$API" --deployment-id "$DEP1"
awsgw delete-stage --rest-api-id "$API" --stage-name staging
expect_error "deleted stage is gone" "NotFoundException" -- awsgw get-stage --rest-api-id "$API" --stage-name staging
check "prod remains" "$(awsgw get-stages --rest-api-id "$API" | jq -r '[.item[].stageName]|join(",")')" "prod"
# "you can recreate the stage and associate it with the same deployment"
check "recreate on the same deployment" "$(awsgw create-stage --rest-api-id "$API" --stage-name staging --deployment-id "$DEP1" | jq -r .deploymentId)" "$DEP1"

# --- The deployed stage answers on its invoke URL (both URL forms). ---
check "invoke path form" "$(curl -s "$STAGECOACH_URL/restapis/$API/prod/_user_request_/pets")" '[{"id":1,"type":"dog"}]'
check "invoke host form" "$(curl -s -H "Host: $API.execute-api.localhost" "$STAGECOACH_URL/prod/pets")" '[{"id":1,"type":"dog"}]'
check "unknown path" "$(curl -s -o /dev/null -w '%{http_code}' "$STAGECOACH_URL/restapis/$API/prod/_user_request_/nope")" "403"

finish
