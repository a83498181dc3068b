"""A TOKEN authorizer behind the Lambda Runtime Interface Emulator
protocol, for e2e/authorizers.sh: POST /2015-03-31/functions/function/
invocations with the authorizer event. Token "allow-NAME" is allowed on
every method of the stage as principal NAME, "deny" is denied explicitly,
anything else fails with "Unauthorized". GET /count answers how many
times the function ran (the authorizer cache is observed through it).
Binds the port given (0: any) and prints it once it listens."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

calls = 0


def policy(principal, effect, resource):
    return {
        "principalId": principal,
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
        "context": {"who": principal},
    }


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, function_error=False):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if function_error:
            self.send_header("X-Amz-Function-Error", "Unhandled")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/count":
            self.send(200, {"calls": calls})
        else:
            self.send(404, {})

    def do_POST(self):
        global calls
        if self.path != "/2015-03-31/functions/function/invocations":
            self.send(404, {})
            return
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        calls += 1
        token = event.get("authorizationToken", "")
        # arn:aws:execute-api:region:account:api/stage/METHOD/path -> every method of the stage
        arn = event["methodArn"]
        stage_arn = "/".join(arn.split("/")[:2]) + "/*"
        if token.startswith("allow-"):
            self.send(200, policy(token[len("allow-"):], "Allow", stage_arn))
        elif token == "deny":
            self.send(200, policy("denied", "Deny", stage_arn))
        else:
            self.send(200, {"errorMessage": "Unauthorized", "errorType": "Error"}, function_error=True)


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
