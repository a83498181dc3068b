#!/usr/bin/env bash
# Authorizers and gateway responses (issue 12), with the Debian AWS CLI
# against a real stagecoach binary, observed with curl: a TOKEN authorizer
# running in a tiny local Lambda runtime (authorizer_runtime.py) allows,
# denies and refuses; its answers are cached per token (the runtime counts
# its invocations) until flush-stage-authorizers-cache; test-invoke-
# authorizer calls it; a custom UNAUTHORIZED gateway response changes what
# a refused caller gets once deployed; an AWS_IAM method refuses unsigned
# calls and serves one curl signs with SigV4.
source "$(dirname "$0")/lib.sh"

start_backend "$(dirname "$0")/authorizer_runtime.py"
trap 'kill "$BACKEND_PID" 2>/dev/null || true; cleanup' EXIT
RUNTIME="http://127.0.0.1:$BACKEND_PORT"
echo "{\"auth\": \"$RUNTIME\"}" >"$E2E_TMP/lambda.json"
KEY=AKIAE2EAUTHORIZERS SECRET='e2e/authorizers+secret'
cat >"$E2E_TMP/credentials" <<EOT
[e2e]
aws_access_key_id = $KEY
aws_secret_access_key = $SECRET
EOT
start_server --lambda-endpoints "$E2E_TMP/lambda.json" --credentials "$E2E_TMP/credentials"
export AWS_ACCESS_KEY_ID="$KEY" AWS_SECRET_ACCESS_KEY="$SECRET"
calls() { curl -s "$RUNTIME/count" | jq .calls; }

API=$(awsgw create-rest-api --name guarded --query id --output text)
ROOT=$(awsgw get-resources --rest-api-id "$API" --query 'items[0].id' --output text)
PETS=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part pets --query id --output text)
IAM=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part iam --query id --output text)
mock_get "$API" "$PETS" '[{"id": 1}]'
mock_get "$API" "$IAM" '{"signed": true}'

AUTH=$(awsgw create-authorizer --rest-api-id "$API" --name tokens --type TOKEN \
	--authorizer-uri "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations" \
	--identity-source method.request.header.Authorization --authorizer-result-ttl-in-seconds 300 --query id --output text)
check "get-authorizer" "$(awsgw get-authorizer --rest-api-id "$API" --authorizer-id "$AUTH" --query '[name,type,authorizerResultTtlInSeconds]' --output text | tr '\t' ' ')" "tokens TOKEN 300"
expect_error "CUSTOM without an authorizer" "Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer" -- \
	awsgw update-method --rest-api-id "$API" --resource-id "$PETS" --http-method GET --patch-operations op=replace,path=/authorizationType,value=CUSTOM
expect_error "TOKEN source must be a header" "Invalid token source expression: method.request.querystring.t" -- \
	awsgw create-authorizer --rest-api-id "$API" --name bad --type TOKEN --identity-source method.request.querystring.t \
	--authorizer-uri "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/auth/invocations"
awsgw update-method --rest-api-id "$API" --resource-id "$PETS" --http-method GET --patch-operations \
	op=replace,path=/authorizationType,value=CUSTOM "op=replace,path=/authorizerId,value=$AUTH" >/dev/null
awsgw update-method --rest-api-id "$API" --resource-id "$IAM" --http-method GET --patch-operations \
	op=replace,path=/authorizationType,value=AWS_IAM >/dev/null

# test-invoke-authorizer runs the function with the given headers.
check "test-invoke-authorizer allows" "$(awsgw test-invoke-authorizer --rest-api-id "$API" --authorizer-id "$AUTH" \
	--headers Authorization=allow-tester --query '[clientStatus,principalId]' --output text | tr '\t' ' ')" "0 tester"
check "test-invoke-authorizer refuses" "$(awsgw test-invoke-authorizer --rest-api-id "$API" --authorizer-id "$AUTH" \
	--headers Authorization=nope --query clientStatus --output text)" "401"
BASE=$(calls)

awsgw create-deployment --rest-api-id "$API" --stage-name prod >/dev/null
URL="$STAGECOACH_URL/restapis/$API/prod/_user_request_"
call() { curl -s -o "$E2E_TMP/body" -w '%{http_code}' "$URL$1" "${@:2}"; }

check "Allow: 200" "$(call /pets -H 'Authorization: allow-alice')" "200"
check "Allow: body" "$(cat "$E2E_TMP/body")" '[{"id": 1}]'
check "same token again: 200" "$(call /pets -H 'Authorization: allow-alice')" "200"
check "the second call was a cache hit (one function call)" "$(($(calls) - BASE))" "1"
check "Deny: 403" "$(call /pets -H 'Authorization: deny')" "403"
check "Deny: body" "$(cat "$E2E_TMP/body")" '{"Message":"User is not authorized to access this resource with an explicit deny"}'
check "function says Unauthorized: 401" "$(call /pets -H 'Authorization: who')" "401"
check "no token: 401" "$(call /pets)" "401"
check "no token: body" "$(cat "$E2E_TMP/body")" '{"message":"Unauthorized"}'
check "function calls so far (no token: none)" "$(($(calls) - BASE))" "3"

awsgw flush-stage-authorizers-cache --rest-api-id "$API" --stage-name prod
check "after the flush: 200" "$(call /pets -H 'Authorization: allow-alice')" "200"
check "after the flush the function ran again" "$(($(calls) - BASE))" "4"

# A custom UNAUTHORIZED response takes effect with the next deployment.
awsgw put-gateway-response --rest-api-id "$API" --response-type UNAUTHORIZED --status-code 418 \
	--response-parameters '{"gatewayresponse.header.WWW-Authenticate":"'"'"'Bearer realm=pets'"'"'"}' \
	--response-templates '{"application/json":"{\"error\":$context.error.messageString,\"type\":\"$context.error.responseType\"}"}' >/dev/null
check "get-gateway-response" "$(awsgw get-gateway-response --rest-api-id "$API" --response-type UNAUTHORIZED --query '[statusCode,defaultResponse]' --output text | tr '\t' ' ')" "418 False"
check "before the deployment: default 401" "$(call /pets)" "401"
awsgw create-deployment --rest-api-id "$API" --stage-name prod >/dev/null
check "custom UNAUTHORIZED: 418" "$(call /pets -D "$E2E_TMP/headers")" "418"
check "custom UNAUTHORIZED: body" "$(cat "$E2E_TMP/body")" '{"error":"Unauthorized","type":"UNAUTHORIZED"}'
check "custom UNAUTHORIZED: header" "$(grep -i '^www-authenticate:' "$E2E_TMP/headers" | cut -d' ' -f2- | tr -d '\r')" "Bearer realm=pets"
check "get-gateway-responses lists every type" "$(awsgw get-gateway-responses --rest-api-id "$API" --query 'length(items)')" "21"

# AWS_IAM: unsigned refused, signed with the configured key served.
check "IAM unsigned: 403" "$(call /iam)" "403"
check "IAM unsigned: body" "$(cat "$E2E_TMP/body")" '{"message":"Missing Authentication Token"}'
check "IAM signed: 200" "$(call /iam --aws-sigv4 'aws:amz:us-east-1:execute-api' --user "$KEY:$SECRET")" "200"
check "IAM signed: body" "$(cat "$E2E_TMP/body")" '{"signed": true}'
check "IAM signed with a wrong secret: 403" "$(call /iam --aws-sigv4 'aws:amz:us-east-1:execute-api' --user "$KEY:wrong")" "403"

finish
