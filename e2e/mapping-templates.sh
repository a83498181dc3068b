#!/usr/bin/env bash
# End-to-end: VTL mapping templates with the AWS CLI and curl against a
# real stagecoach binary and a small Python backend (http.server):
#   GET  /pets          HTTP: JSON array reshaped by the response template,
#                       XML-ish text for Accept: application/xml, headers
#                       mapped from the backend's header and JSON body
#   POST /orders        HTTP: request template reshapes the order array and
#                       overrides a header; passthroughBehavior NEVER → 415
#   GET  /status        MOCK: the request template picks the status
#   GET  /teapot        MOCK: the response template overrides status/header
source "$(dirname "$0")/lib.sh"

start_server

# The backend: /pets returns a JSON document with a list; /echo returns
# what it received (body as JSON, the X-From-Template header, the query).
cat >"$E2E_TMP/backend.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, doc, headers=()):
        b = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_GET(self):
        if self.path.startswith("/pets"):
            self.reply({"count": 3, "pets": [
                {"id": 1, "type": "dog", "price": 249.99},
                {"id": 2, "type": "cat", "price": 124.99},
                {"id": 3, "type": "fish", "price": 0.99}]}, [("X-Count", "3")])
        else:
            self.reply({"ok": True})
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode()
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        self.reply({"received": body, "header": self.headers.get("X-From-Template"),
                    "contentType": self.headers.get("Content-Type"), "path": self.path})

srv = HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
print(srv.server_address[1], flush=True)  # listening: tell start_backend the port
srv.serve_forever()
PY
start_backend "$E2E_TMP/backend.py"
trap 'kill "$BACKEND_PID" 2>/dev/null || true; cleanup' EXIT
BACKEND="http://127.0.0.1:$BACKEND_PORT"

API=$(awsgw create-rest-api --name templates --query id --output text)
ROOT=$(awsgw get-resources --rest-api-id "$API" --query 'items[0].id' --output text)
res() { awsgw create-resource --rest-api-id "$API" --parent-id "$ROOT" --path-part "$1" --query id --output text; }

# GET /pets: HTTP integration, response templates by Accept, header mapping.
PETS=$(res pets)
awsgw put-method --rest-api-id "$API" --resource-id "$PETS" --http-method GET --authorization-type NONE >/dev/null
awsgw put-integration --rest-api-id "$API" --resource-id "$PETS" --http-method GET --type HTTP \
	--integration-http-method GET --uri "$BACKEND/pets" >/dev/null
awsgw put-method-response --rest-api-id "$API" --resource-id "$PETS" --http-method GET --status-code 200 \
	--response-parameters '{"method.response.header.X-Count":false,"method.response.header.X-Total":false}' >/dev/null
PETS_JSON='#set($inputRoot = $input.path('"'"'$.pets'"'"'))
[
#foreach($elem in $inputRoot)
  {"number": $elem.id, "class": "$elem.type", "salesPrice": $elem.price}#if($foreach.hasNext),#end

#end
]'
PETS_XML='<pets count="$input.path('"'"'$.count'"'"')">#foreach($p in $input.path('"'"'$.pets'"'"'))<pet id="$p.id">$p.type.toUpperCase()</pet>#end</pets>'
awsgw put-integration-response --rest-api-id "$API" --resource-id "$PETS" --http-method GET --status-code 200 \
	--response-templates "$(jq -nc --arg j "$PETS_JSON" --arg x "$PETS_XML" '{"application/json": $j, "application/xml": $x}')" \
	--response-parameters '{"method.response.header.X-Count":"integration.response.header.X-Count","method.response.header.X-Total":"integration.response.body.count"}' >/dev/null

# POST /orders: request template, header override, passthrough NEVER.
ORDERS=$(res orders)
awsgw put-method --rest-api-id "$API" --resource-id "$ORDERS" --http-method POST --authorization-type NONE >/dev/null
ORDER_TEMPLATE='#set($o = $input.path('"'"'$'"'"'))
{"customer": "$o.customer", "skus": [#foreach($i in $o.items)"$i.sku"#if($foreach.hasNext),#end#end], "stage": "$context.stage", "env": "$stageVariables.env"}
#set($context.requestOverride.header.X-From-Template = "from-$context.httpMethod")'
awsgw put-integration --rest-api-id "$API" --resource-id "$ORDERS" --http-method POST --type HTTP \
	--integration-http-method POST --uri "$BACKEND/echo" --passthrough-behavior NEVER \
	--request-templates "$(jq -nc --arg t "$ORDER_TEMPLATE" '{"application/json": $t}')" >/dev/null
awsgw put-method-response --rest-api-id "$API" --resource-id "$ORDERS" --http-method POST --status-code 200 >/dev/null
awsgw put-integration-response --rest-api-id "$API" --resource-id "$ORDERS" --http-method POST --status-code 200 >/dev/null

# GET /status: MOCK whose request template picks the status.
STATUS=$(res status)
awsgw put-method --rest-api-id "$API" --resource-id "$STATUS" --http-method GET --authorization-type NONE >/dev/null
awsgw put-integration --rest-api-id "$API" --resource-id "$STATUS" --http-method GET --type MOCK \
	--request-templates '{"application/json":"#if($input.params('"'"'scope'"'"') == \"internal\")\n{\"statusCode\": 200}\n#else\n{\"statusCode\": 404}\n#end"}' >/dev/null
for code in 200 404; do
	awsgw put-method-response --rest-api-id "$API" --resource-id "$STATUS" --http-method GET --status-code $code >/dev/null
done
awsgw put-integration-response --rest-api-id "$API" --resource-id "$STATUS" --http-method GET --status-code 200 \
	--response-templates '{"application/json":"{\"scope\": \"$input.params('"'"'scope'"'"')\"}"}' >/dev/null
awsgw put-integration-response --rest-api-id "$API" --resource-id "$STATUS" --http-method GET --status-code 404 \
	--selection-pattern 404 --response-templates '{"application/json":"{\"message\": \"not for you\"}"}' >/dev/null

# GET /teapot: MOCK whose response template overrides status and a header.
TEAPOT=$(res teapot)
awsgw put-method --rest-api-id "$API" --resource-id "$TEAPOT" --http-method GET --authorization-type NONE >/dev/null
awsgw put-integration --rest-api-id "$API" --resource-id "$TEAPOT" --http-method GET --type MOCK \
	--request-templates '{"application/json":"{\"statusCode\": 200}"}' >/dev/null
awsgw put-method-response --rest-api-id "$API" --resource-id "$TEAPOT" --http-method GET --status-code 200 >/dev/null
awsgw put-integration-response --rest-api-id "$API" --resource-id "$TEAPOT" --http-method GET --status-code 200 \
	--response-templates '{"application/json":"#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-Kind = \"teapot\"){\"short\": \"and stout\"}"}' >/dev/null

awsgw create-deployment --rest-api-id "$API" --stage-name prod --variables env=production >/dev/null
URL="$STAGECOACH_URL/restapis/$API/prod/_user_request_"

# Array reshaping (the developer guide's PetStore template).
body=$(curl -sS "$URL/pets")
check "JSON array reshaped" "$(echo "$body" | jq -c '[.[] | .class]')" '["dog","cat","fish"]'
check "numbers kept" "$(echo "$body" | jq -c '.[0]')" '{"number":1,"class":"dog","salesPrice":249.99}'
check "PetStore whitespace" "$(echo "$body" | head -3 | tr '\n' '|')" '[|  {"number": 1, "class": "dog", "salesPrice": 249.99},|  {"number": 2, "class": "cat", "salesPrice": 124.99},|'

# JSON → XML-ish text by Accept; header mapping from the backend's header
# and JSON body.
hdrs="$E2E_TMP/pets.h"
body=$(curl -sS -D "$hdrs" -H 'Accept: application/xml' "$URL/pets")
check "XML by Accept" "$body" '<pets count="3"><pet id="1">DOG</pet><pet id="2">CAT</pet><pet id="3">FISH</pet></pets>'
check "Content-Type is the template's" "$(grep -i '^content-type:' "$hdrs" | tr -d '\r' | cut -d' ' -f2)" "application/xml"
check "header from integration.response.header" "$(grep -i '^x-count:' "$hdrs" | tr -d '\r' | cut -d' ' -f2)" "3"
check "header from integration.response.body.count" "$(grep -i '^x-total:' "$hdrs" | tr -d '\r' | cut -d' ' -f2)" "3"

# Request template and header override.
body=$(curl -sS -H 'Content-Type: application/json' -d '{"customer":"ann","items":[{"sku":"a"},{"sku":"b"}]}' "$URL/orders")
check "request template reshaped the order" "$(echo "$body" | jq -c .received)" '{"customer":"ann","skus":["a","b"],"stage":"prod","env":"production"}'
check "requestOverride header reached the backend" "$(echo "$body" | jq -r .header)" "from-POST"
check "template's content type sent" "$(echo "$body" | jq -r .contentType)" "application/json"

# passthroughBehavior NEVER → 415.
code=$(curl -sS -o "$E2E_TMP/415" -w '%{http_code}' -H 'Content-Type: text/plain' -d 'hello' "$URL/orders")
check "NEVER refuses an unmapped type" "$code $(cat "$E2E_TMP/415")" '415 {"message":"Unsupported Media Type"}'

# MOCK: the request template chooses the integration response.
code=$(curl -sS -o "$E2E_TMP/s" -w '%{http_code}' "$URL/status?scope=internal")
check "MOCK 200 by template" "$code $(cat "$E2E_TMP/s")" '200 {"scope": "internal"}'
code=$(curl -sS -o "$E2E_TMP/s" -w '%{http_code}' "$URL/status?scope=public")
check "MOCK 404 by template" "$code $(cat "$E2E_TMP/s")" '404 {"message": "not for you"}'

# Response overrides.
code=$(curl -sS -D "$hdrs" -o "$E2E_TMP/t" -w '%{http_code}' "$URL/teapot")
check "responseOverride.status" "$code $(cat "$E2E_TMP/t")" '418 {"short": "and stout"}'
check "responseOverride.header" "$(grep -i '^x-kind:' "$hdrs" | tr -d '\r' | cut -d' ' -f2)" "teapot"

finish
