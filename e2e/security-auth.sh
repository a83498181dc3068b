#!/usr/bin/env bash
# Management-plane security with the real binary and Debian's AWS CLI:
# with --credentials, signed calls work and wrong/unknown/missing
# signatures get AWS's errors (API Gateway, Cloud Control, Logs); a
# DNS-rebinding Host and a cross-origin text/plain POST are refused in
# both modes and change nothing; developer mode refuses a non-loopback
# listener.
source "$(dirname "$0")/lib.sh"

KEY=AKIAE2ESECURITY SECRET='e2e/secret+key'
CREDS="$E2E_TMP/credentials"
cat >"$CREDS" <<EOT
[e2e]
aws_access_key_id = $KEY
aws_secret_access_key = $SECRET
EOT

start_server --credentials "$CREDS"
export AWS_ACCESS_KEY_ID="$KEY" AWS_SECRET_ACCESS_KEY="$SECRET"
HOSTPORT="${STAGECOACH_URL#http://}"

# --- signed calls work ------------------------------------------------
API=$(awsgw create-rest-api --name guarded --query id --output text)
check "signed create-rest-api returns an id" "$([[ -n "$API" ]] && echo yes)" "yes"
check "signed get-rest-apis" "$(awsgw get-rest-apis --query 'length(items)')" "1"
check "signed cloudcontrol list-resources" \
	"$("$AWS_BIN" --endpoint-url "$STAGECOACH_URL" cloudcontrol list-resources --type-name AWS::ApiGateway::RestApi --query 'length(ResourceDescriptions)' --output text)" "1"
check "signed logs describe-log-groups" \
	"$("$AWS_BIN" --endpoint-url "$STAGECOACH_URL" logs describe-log-groups --query 'length(logGroups)' --output text)" "0"

# --- refused calls, as AWS prints them --------------------------------
BADSIG="The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
expect_error "wrong secret: InvalidSignatureException" \
	"An error occurred (InvalidSignatureException) when calling the CreateRestApi operation: $BADSIG" -- \
	env AWS_SECRET_ACCESS_KEY=wrong "$AWS_BIN" --endpoint-url "$STAGECOACH_URL" apigateway create-rest-api --name evil
expect_error "unknown key: UnrecognizedClientException" \
	"An error occurred (UnrecognizedClientException) when calling the DeleteRestApi operation: The security token included in the request is invalid." -- \
	env AWS_ACCESS_KEY_ID=AKIANOBODY "$AWS_BIN" --endpoint-url "$STAGECOACH_URL" apigateway delete-rest-api --rest-api-id "$API"
expect_error "unsigned: MissingAuthenticationTokenException" \
	"An error occurred (MissingAuthenticationTokenException) when calling the GetRestApis operation: Missing Authentication Token" -- \
	"$AWS_BIN" --no-sign-request --endpoint-url "$STAGECOACH_URL" apigateway get-rest-apis
expect_error "cloudcontrol wrong secret" \
	"An error occurred (InvalidSignatureException) when calling the CreateResource operation: $BADSIG" -- \
	env AWS_SECRET_ACCESS_KEY=wrong "$AWS_BIN" --endpoint-url "$STAGECOACH_URL" cloudcontrol create-resource \
	--type-name AWS::ApiGateway::RestApi --desired-state '{"Name":"evil"}'
expect_error "logs unknown key" \
	"An error occurred (UnrecognizedClientException) when calling the CreateLogGroup operation: The security token included in the request is invalid." -- \
	env AWS_ACCESS_KEY_ID=AKIANOBODY "$AWS_BIN" --endpoint-url "$STAGECOACH_URL" logs create-log-group --log-group-name evil
check "refused calls changed nothing (APIs)" "$(awsgw get-rest-apis --query 'items[].name' --output text)" "guarded"
check "refused calls changed nothing (log groups)" \
	"$("$AWS_BIN" --endpoint-url "$STAGECOACH_URL" logs describe-log-groups --query 'length(logGroups)' --output text)" "0"
check "health stays open" "$(curl -s -o /dev/null -w '%{http_code}' "$STAGECOACH_URL/_stagecoach/health")" "200"
check "console without a session goes to the login page" \
	"$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$STAGECOACH_URL/console/")" "303 $STAGECOACH_URL/console/login"

# browser_attacks runs the rebinding and cross-origin checks against the
# running server; $1 names the mode.
browser_attacks() {
	local mode="$1"
	check "$mode: rebinding Host DELETE → 403" \
		"$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Host: evil.example:${HOSTPORT#*:}" "$STAGECOACH_URL/restapis/$API")" "403"
	check "$mode: rebinding Host console → 403" \
		"$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example' "$STAGECOACH_URL/console/")" "403"
	check "$mode: cross-origin text/plain POST → 403" \
		"$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Origin: http://evil.example' -H 'Sec-Fetch-Site: cross-site' \
			-H 'Content-Type: text/plain' --data '{"stageName":"pwned"}' "$STAGECOACH_URL/restapis/$API/deployments")" "403"
	check "$mode: text/plain POST without Origin → 415" \
		"$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: text/plain' --data '{"stageName":"pwned"}' \
			"$STAGECOACH_URL/restapis/$API/deployments")" "415"
	check "$mode: form POST → 415" \
		"$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'stageName=pwned' "$STAGECOACH_URL/restapis/$API/deployments")" "415"
	check "$mode: the API survived" "$(awsgw get-rest-api --rest-api-id "$API" --query name --output text)" "guarded"
	check "$mode: no deployment was made" "$(awsgw get-deployments --rest-api-id "$API" --query 'length(items)')" "0"
	check "$mode: execute-api Host still reaches the data plane" \
		"$(curl -s -H "Host: $API.execute-api.evil.example" "$STAGECOACH_URL/prod/x")" '{"message":"Forbidden"}'
}
browser_attacks "credentials"

# --- developer mode ---------------------------------------------------
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
rm -rf "$E2E_TMP/data"
start_server
HOSTPORT="${STAGECOACH_URL#http://}"
export AWS_ACCESS_KEY_ID=anything AWS_SECRET_ACCESS_KEY=anything
API=$(awsgw create-rest-api --name guarded --query id --output text)
check "developer mode: any key works" "$([[ -n "$API" ]] && echo yes)" "yes"
browser_attacks "developer mode"

out="$("$E2E_TMP/stagecoach" serve --listen 0.0.0.0:0 --data-dir "$E2E_TMP/data2" 2>&1)" && rc=0 || rc=$?
check "developer mode on 0.0.0.0 refuses to start" "$rc $([[ "$out" == *"refusing to serve without authentication on 0.0.0.0:0 (--listen)"* ]] && echo explained)" "1 explained"

finish
