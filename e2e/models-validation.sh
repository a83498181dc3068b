#!/usr/bin/env bash
# End-to-end: models, request validators, binary payloads, a type AWS
# integration and test-invoke-method, with the AWS CLI and curl against a
# real stagecoach binary and a small Python backend (http.server) that
# plays both an HTTP backend and a SigV4-checking "SQS":
#   POST /pets     MOCK behind a validator: bad body / missing parameter → 400
#   POST /img      HTTP: image/png bytes → Base64 text at the backend → bytes
#   POST /queue    AWS: sqs:action/SendMessage sent signed to --aws-endpoints
#   test-invoke-method on /pets: status, body and the execution log
source "$(dirname "$0")/lib.sh"

cat >"$E2E_TMP/backend.py" <<'PY'
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlparse, parse_qs

class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        u = urlparse(self.path)
        if u.path == "/echo-text":
            # The gateway converted the image to Base64 text: send it back.
            return self.send(200, "text/plain", body)
        q = parse_qs(u.query)
        auth = self.headers.get("Authorization", "")
        # A signed SQS call: SigV4 scope for sqs in us-east-1, the action.
        if not auth.startswith("AWS4-HMAC-SHA256 Credential=test/") or "/us-east-1/sqs/aws4_request" not in auth \
                or "Signature=" not in auth or not self.headers.get("X-Amz-Date"):
            return self.send(403, "text/xml", b"<Error><Code>IncompleteSignature</Code></Error>")
        if q.get("Action") != ["SendMessage"]:
            return self.send(400, "text/xml", b"<Error><Code>InvalidAction</Code></Error>")
        msg = q.get("MessageBody", [""])[0]
        self.send(200, "text/xml", ("<SendMessageResponse><MD5OfMessageBody>%s</MD5OfMessageBody></SendMessageResponse>" % msg).encode())

srv = HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
print(srv.server_address[1], flush=True)  # listening: tell start_backend the port
srv.serve_forever()
PY
start_backend "$E2E_TMP/backend.py"
trap 'kill $BACKEND_PID 2>/dev/null || true; cleanup' EXIT
BACKEND="http://127.0.0.1:$BACKEND_PORT"
echo "{\"sqs\": \"$BACKEND\"}" >"$E2E_TMP/aws-endpoints.json"

start_server --aws-endpoints "$E2E_TMP/aws-endpoints.json"

API=$(awsgw create-rest-api --name models --binary-media-types image/png --query id --output text)
ROOT=$(awsgw get-resources --rest-api-id "$API" --query 'items[0].id' --output text)
check "default models" "$(awsgw get-models --rest-api-id "$API" --query 'items[].name' --output text)" "Empty	Error"

# Models: one references the other by its canonical URL.
awsgw create-model --rest-api-id "$API" --name Pet --content-type application/json \
	--schema '{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name"]}' >/dev/null
awsgw create-model --rest-api-id "$API" --name Pets --content-type application/json \
	--schema "{\"type\":\"array\",\"items\":{\"\$ref\":\"https://apigateway.amazonaws.com/restapis/$API/models/Pet\"}}" >/dev/null
expect_error "schema not draft 4" "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]" -- \
	awsgw create-model --rest-api-id "$API" --name Bad --content-type application/json --schema '{"type":"object","required":[]}'
expect_error "name with a dash" "Model name must be alphanumeric: my-pet" -- \
	awsgw create-model --rest-api-id "$API" --name my-pet --content-type application/json --schema '{}'
check "model template" "$(awsgw get-model-template --rest-api-id "$API" --model-name Pet --query value --output text)" \
	"$(printf '#set($inputRoot = $input.path('"'"'$'"'"'))\n{\n  "name" : "$inputRoot.name",\n  "age" : $inputRoot.age\n}')"

# A validator on POST /pets (MOCK).
VAL=$(awsgw create-request-validator --rest-api-id "$API" --name all --validate-request-body --validate-request-parameters --query id --output text)
PETS=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part pets --query id --output text)
awsgw put-method --rest-api-id "$API" --resource-id "$PETS" --http-method POST --authorization-type NONE \
	--request-validator-id "$VAL" --request-models '{"application/json":"Pet"}' \
	--request-parameters '{"method.request.querystring.owner":true}' >/dev/null
awsgw put-integration --rest-api-id "$API" --resource-id "$PETS" --http-method POST --type MOCK \
	--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
awsgw put-method-response --rest-api-id "$API" --resource-id "$PETS" --http-method POST --status-code 200 >/dev/null
awsgw put-integration-response --rest-api-id "$API" --resource-id "$PETS" --http-method POST --status-code 200 \
	--response-templates '{"application/json":"{\"created\": true}"}' >/dev/null
expect_error "model in use" "Cannot delete model 'Pet', is referenced in method request: /pets/POST" -- \
	awsgw delete-model --rest-api-id "$API" --model-name Pet

# Binary: POST /img, HTTP integration converting both ways.
IMG=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part img --query id --output text)
awsgw put-method --rest-api-id "$API" --resource-id "$IMG" --http-method POST --authorization-type NONE >/dev/null
awsgw put-integration --rest-api-id "$API" --resource-id "$IMG" --http-method POST --type HTTP \
	--integration-http-method POST --uri "$BACKEND/echo-text" --content-handling CONVERT_TO_TEXT >/dev/null
awsgw put-method-response --rest-api-id "$API" --resource-id "$IMG" --http-method POST --status-code 200 >/dev/null
awsgw put-integration-response --rest-api-id "$API" --resource-id "$IMG" --http-method POST --status-code 200 \
	--content-handling CONVERT_TO_BINARY >/dev/null

# AWS integration: SQS SendMessage through --aws-endpoints.
Q=$(awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part queue --query id --output text)
awsgw put-method --rest-api-id "$API" --resource-id "$Q" --http-method POST --authorization-type NONE \
	--request-parameters '{"method.request.querystring.msg":true}' >/dev/null
awsgw put-integration --rest-api-id "$API" --resource-id "$Q" --http-method POST --type AWS \
	--integration-http-method POST --uri "arn:aws:apigateway:us-east-1:sqs:action/SendMessage" \
	--credentials "arn:aws:iam::000000000000:role/apigateway-sqs" \
	--request-parameters '{"integration.request.querystring.MessageBody":"method.request.querystring.msg","integration.request.querystring.QueueUrl":"'"'"'http://queue/000000000000/pets'"'"'"}' >/dev/null
awsgw put-method-response --rest-api-id "$API" --resource-id "$Q" --http-method POST --status-code 200 >/dev/null
awsgw put-integration-response --rest-api-id "$API" --resource-id "$Q" --http-method POST --status-code 200 >/dev/null

# test-invoke-method runs the undeployed configuration.
TI="$E2E_TMP/ti.json"
awsgw test-invoke-method --rest-api-id "$API" --resource-id "$PETS" --http-method POST \
	--path-with-query-string '/pets?owner=ann' --body '{"age": 3}' >"$TI"
check "test-invoke status and body" "$(jq -r '"\(.status) \(.body)"' "$TI")" '400 {"message": "Invalid request body"}'
check "test-invoke log title" "$(jq -r '.log' "$TI" | head -1 | cut -d' ' -f1-4)" "Execution log for request"
check "test-invoke log validation line" \
	"$(jq -r '.log' "$TI" | grep -c ' : Request body does not match model schema for content type application/json: \[object has missing required properties (\["name"\])\]$')" "1"
awsgw test-invoke-method --rest-api-id "$API" --resource-id "$PETS" --http-method POST \
	--path-with-query-string '/pets?owner=ann' --body '{"name": "rex"}' >"$TI"
check "test-invoke valid request" "$(jq -r '"\(.status) \(.body) \(.headers["Content-Type"])"' "$TI")" '200 {"created": true} application/json'
check "test-invoke completes" "$(jq -r '.log' "$TI" | grep -v '^$' | tail -1 | sed 's/.* : //')" "Method completed with status: 200"

awsgw create-deployment --rest-api-id "$API" --stage-name prod >/dev/null
URL="$STAGECOACH_URL/restapis/$API/prod/_user_request_"

code=$(curl -sS -o "$E2E_TMP/r" -w '%{http_code}' -H 'Content-Type: application/json' -d '{"name":"rex","age":3}' "$URL/pets?owner=ann")
check "valid request" "$code $(cat "$E2E_TMP/r")" '200 {"created": true}'
code=$(curl -sS -o "$E2E_TMP/r" -w '%{http_code}' -H 'Content-Type: application/json' -d '{"age":"three"}' "$URL/pets?owner=ann")
check "validator refuses a bad body" "$code $(cat "$E2E_TMP/r")" '400 {"message": "Invalid request body"}'
code=$(curl -sS -o "$E2E_TMP/r" -w '%{http_code}' -H 'Content-Type: application/json' -d '{"name":"rex"}' "$URL/pets?owner=")
check "validator refuses a blank parameter" "$code $(cat "$E2E_TMP/r")" '400 {"message": "Missing required request parameters: [owner]"}'

head -c 4096 /dev/urandom >"$E2E_TMP/in.png"
code=$(curl -sS -o "$E2E_TMP/out.png" -w '%{http_code}' -H 'Content-Type: image/png' -H 'Accept: image/png' \
	--data-binary @"$E2E_TMP/in.png" "$URL/img")
check "binary round trip" "$code $(cmp -s "$E2E_TMP/in.png" "$E2E_TMP/out.png" && echo same || echo different)" "200 same"

code=$(curl -sS -o "$E2E_TMP/q" -w '%{http_code}' -X POST "$URL/queue?msg=hello")
check "AWS integration, signed" "$code $(cat "$E2E_TMP/q")" "200 <SendMessageResponse><MD5OfMessageBody>hello</MD5OfMessageBody></SendMessageResponse>"

finish
