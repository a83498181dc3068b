#!/usr/bin/env bash
# API keys and usage plans (issue 12): made with the Debian AWS CLI against
# a real stagecoach binary and observed with curl — a key-protected method
# answers 403 without a key, 200 with one, 429 "Limit Exceeded" once the
# plan's quota is used, and serves again after update-usage; get-usage
# reports the counted requests; import-api-keys reads AWS's CSV format.
source "$(dirname "$0")/lib.sh"
start_server

API=$(awsgw create-rest-api --name keyed --query id --output text)
ROOT=$(awsgw get-resources --rest-api-id "$API" --query 'items[0].id' --output text)
PETS=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part pets --query id --output text)
mock_get "$API" "$PETS" '[{"id": 1}]'
awsgw update-method --rest-api-id "$API" --resource-id "$PETS" --http-method GET \
	--patch-operations op=replace,path=/apiKeyRequired,value=true >/dev/null
check "method requires a key" "$(awsgw get-method --rest-api-id "$API" --resource-id "$PETS" --http-method GET --query apiKeyRequired --output text)" "True"
awsgw create-deployment --rest-api-id "$API" --stage-name prod >/dev/null

KEY=$(awsgw create-api-key --name e2e-key --enabled --query id --output text)
VALUE=$(awsgw get-api-key --api-key "$KEY" --include-value --query value --output text)
check "generated key value has 40 characters" "${#VALUE}" "40"
PLAN=$(awsgw create-usage-plan --name e2e-plan --api-stages "apiId=$API,stage=prod" \
	--quota limit=3,offset=0,period=DAY --throttle burstLimit=100,rateLimit=100 --query id --output text)
awsgw create-usage-plan-key --usage-plan-id "$PLAN" --key-id "$KEY" --key-type API_KEY >/dev/null

URL="$STAGECOACH_URL/restapis/$API/prod/_user_request_/pets"
call() { curl -s -o "$E2E_TMP/body" -w '%{http_code}' "$URL" "$@"; }

check "no key: 403" "$(call)" "403"
check "no key: body" "$(cat "$E2E_TMP/body")" '{"message":"Forbidden"}'
check "wrong key: 403" "$(call -H 'x-api-key: not-a-key-value-0123456789')" "403"
for i in 1 2 3; do
	check "request $i within the quota: 200" "$(call -H "x-api-key: $VALUE")" "200"
done
check "quota used: 429" "$(call -H "x-api-key: $VALUE")" "429"
check "quota used: body" "$(cat "$E2E_TMP/body")" '{"message":"Limit Exceeded"}'

TODAY=$(date -u +%F)
check "get-usage counts the requests" \
	"$(awsgw get-usage --usage-plan-id "$PLAN" --start-date "$TODAY" --end-date "$TODAY" --query "items.\"$KEY\"[0]" --output text | tr '\t' ' ')" "3 0"
awsgw update-usage --usage-plan-id "$PLAN" --key-id "$KEY" --patch-operations op=replace,path=/remaining,value=2 >/dev/null
check "after update-usage: 200" "$(call -H "x-api-key: $VALUE")" "200"
check "after update-usage: 200 again" "$(call -H "x-api-key: $VALUE")" "200"
check "extension used: 429" "$(call -H "x-api-key: $VALUE")" "429"

awsgw update-api-key --api-key "$KEY" --patch-operations op=replace,path=/enabled,value=false >/dev/null
awsgw update-usage --usage-plan-id "$PLAN" --key-id "$KEY" --patch-operations op=replace,path=/remaining,value=5 >/dev/null
check "disabled key: 403" "$(call -H "x-api-key: $VALUE")" "403"

# Errors with AWS's texts.
expect_error "delete a plan with stages" "because there are API Stages associated with it, including $API:prod" -- \
	awsgw delete-usage-plan --usage-plan-id "$PLAN"
expect_error "duplicate key value" "API Key already exists" -- \
	awsgw create-api-key --name dup --value "$VALUE"
expect_error "short key value" "API Key value should be at least 20 characters" -- \
	awsgw create-api-key --name short --value tooshort

# import-api-keys (CSV), then the key works once enabled and in the plan.
printf 'Name,Key,Enabled,UsagePlanIds\nimported,importedkey0123456789abc,true,%s\n' "$PLAN" >"$E2E_TMP/keys.csv"
IDS=$(awsgw import-api-keys --body "fileb://$E2E_TMP/keys.csv" --format csv --query 'ids[0]' --output text)
check "imported key is in the plan" "$(awsgw get-usage-plan-key --usage-plan-id "$PLAN" --key-id "$IDS" --query name --output text)" "imported"
check "imported key: 200" "$(call -H 'x-api-key: importedkey0123456789abc')" "200"

# Deleting the stage unbinds it from the plan; then the plan can go.
awsgw delete-stage --rest-api-id "$API" --stage-name prod >/dev/null
check "stage gone from the plan" "$(awsgw get-usage-plan --usage-plan-id "$PLAN" --query 'length(apiStages)')" "0"
awsgw delete-usage-plan --usage-plan-id "$PLAN" >/dev/null
check "plan deleted" "$(awsgw get-usage-plans --query 'length(items)')" "0"
finish
