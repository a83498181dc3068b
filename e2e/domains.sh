#!/usr/bin/env bash
# Custom domain names and base path mappings (issue 18): made with the
# Debian AWS CLI against a real stagecoach binary, observed with curl
# sending the domain's Host (what DNS pointing at this gateway does).
source "$(dirname "$0")/lib.sh"
start_server
HOSTPORT="${STAGECOACH_URL#http://}"
dget() { curl -s -o "$E2E_TMP/body" -w '%{http_code}' -H "Host: $1" "$STAGECOACH_URL$2"; printf ' %s' "$(cat "$E2E_TMP/body")"; }

API=$(awsgw create-rest-api --name domains | jq -r .id)
ROOT=$(awsgw get-resources --rest-api-id "$API" | jq -r '.items[0].id')
A=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part a | jq -r .id)
mock_get "$API" "$A" '{"v":"v1"}'
awsgw create-deployment --rest-api-id "$API" --stage-name prod >/dev/null
awsgw put-integration-response --rest-api-id "$API" --resource-id "$A" --http-method GET --status-code 200 \
	--response-templates '{"application/json":"{\"v\":\"v2\"}"}' >/dev/null
awsgw create-deployment --rest-api-id "$API" --stage-name next >/dev/null

D=$(awsgw create-domain-name --domain-name api.example.com --regional-certificate-arn arn:aws:acm:us-east-1:123456789012:certificate/abc \
	--endpoint-configuration types=REGIONAL --security-policy TLS_1_2)
check "domain AVAILABLE" "$(jq -r .domainNameStatus <<<"$D")" AVAILABLE
check "regional hosted zone" "$(jq -r .regionalHostedZoneId <<<"$D")" Z1UJRXOUMOOFQ8
check "regional domain name" "$(jq -r .regionalDomainName <<<"$D" | grep -cE '^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$')" 1
awsgw create-base-path-mapping --domain-name api.example.com --base-path v1 --rest-api-id "$API" --stage prod >/dev/null
awsgw create-base-path-mapping --domain-name api.example.com --base-path v2 --rest-api-id "$API" --stage next >/dev/null
check "multi-level base path" "$(awsgw create-base-path-mapping --domain-name api.example.com --base-path orders/v1 --rest-api-id "$API" --stage next | jq -r .basePath)" orders/v1
check "get multi-level mapping" "$(awsgw get-base-path-mapping --domain-name api.example.com --base-path orders/v1 | jq -r .stage)" next
expect_error "duplicate base path" "Base path already exists for this domain name" -- \
	awsgw create-base-path-mapping --domain-name api.example.com --base-path v1 --rest-api-id "$API" --stage next
expect_error "mapping to a missing stage" "Invalid stage identifier specified" -- \
	awsgw create-base-path-mapping --domain-name api.example.com --base-path v3 --rest-api-id "$API" --stage nope
expect_error "delete a mapped stage" "Deleting stage prod failed" -- awsgw delete-stage --rest-api-id "$API" --stage-name prod
check "mappings listed" "$(awsgw get-base-path-mappings --domain-name api.example.com | jq -c '[.items[].basePath]')" '["v1","v2","orders/v1"]'

check "v1 -> prod" "$(dget api.example.com /v1/a)" '200 {"v":"v1"}'
check "v2 -> next" "$(dget api.example.com:443 /v2/a)" '200 {"v":"v2"}'
check "orders/v1 -> next" "$(dget api.example.com /orders/v1/a)" '200 {"v":"v2"}'
check "unknown base path" "$(dget api.example.com /v9/a)" '403 {"message":"Forbidden"}'
check "curl --resolve" "$(curl -s --resolve "api.example.com:${HOSTPORT##*:}:127.0.0.1" "http://api.example.com:${HOSTPORT##*:}/v1/a")" '{"v":"v1"}'

awsgw update-base-path-mapping --domain-name api.example.com --base-path v1 --patch-operations op=replace,path=/stage,value=next >/dev/null
check "mapping swapped to next" "$(dget api.example.com /v1/a)" '200 {"v":"v2"}'

# The empty base path takes a whole domain.
awsgw create-domain-name --domain-name root.example.com --certificate-arn arn:aws:acm:us-east-1:123456789012:certificate/abc >/dev/null
check "empty base path shown as (none)" "$(awsgw create-base-path-mapping --domain-name root.example.com --rest-api-id "$API" --stage prod | jq -r .basePath)" '(none)'
expect_error "second mapping beside the empty one" "Only one base path mapping is allowed if the base path is empty." -- \
	awsgw create-base-path-mapping --domain-name root.example.com --base-path x --rest-api-id "$API" --stage prod
check "empty base path routes" "$(dget root.example.com /a)" '200 {"v":"v1"}'

# disableExecuteApiEndpoint: default endpoints 403 after a redeploy, domains still serve.
awsgw update-rest-api --rest-api-id "$API" --patch-operations op=replace,path=/disableExecuteApiEndpoint,value=true >/dev/null
awsgw create-deployment --rest-api-id "$API" --stage-name prod >/dev/null
check "path form closed" "$(dget 127.0.0.1 "/restapis/$API/prod/_user_request_/a")" '403 {"message":"Forbidden"}'
check "execute-api host closed" "$(dget "$API.execute-api.us-east-1.amazonaws.com" /prod/a)" '403 {"message":"Forbidden"}'
check "domain still serves" "$(dget root.example.com /a)" '200 {"v":"v2"}'

awsgw delete-domain-name --domain-name root.example.com >/dev/null
check "deleted domain is not routed" "$(dget root.example.com /a | cut -c1-3)" 403
finish
