package accesslog

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

// fullEvent is a request with every field set, as a canary request that
// went through an HTTP integration.
func fullEvent() *telemetry.RequestEvent {
	return &telemetry.RequestEvent{
		AccountID:         "000000000000",
		APIID:             "a1b2c3d4e5",
		Stage:             "prod",
		DeploymentID:      "dep123",
		Canary:            true,
		RequestID:         "6a0c5b7e-1111-2222-3333-444455556666",
		ExtendedRequestID: "XyZ12AbCdEFg=",
		RequestTime:       time.Date(2024, 3, 9, 14, 5, 7, 123e6, time.UTC),
		HTTPMethod:        "GET",
		Path:              "/prod/pets/42",
		Protocol:          "HTTP/1.1",
		DomainName:        "a1b2c3d4e5.execute-api.localhost",
		XRayTraceID:       "Root=1-abc",
		ResourceID:        "res42",
		ResourcePath:      "/pets/{petId}",
		Identity: telemetry.Identity{
			SourceIP: "203.0.113.7", UserAgent: "curl/8.5.0", Caller: "AIDACALLER", User: "AIDAUSER",
			UserArn: "arn:aws:iam::000000000000:user/alice", AccountID: "111111111111", AccessKey: "AKIDALICE",
			APIKey: "key-value", APIKeyID: "keyid", PrincipalOrgID: "o-org",
			CognitoIdentityID: "cid", CognitoIdentityPoolID: "pool", CognitoAuthenticationType: "authenticated",
			CognitoAuthenticationProvider: "cognito-idp", VpcID: "vpc-1", VpceID: "vpce-1",
			ClientCert: &telemetry.ClientCert{ClientCertPem: "PEM", SubjectDN: "CN=client", IssuerDN: "CN=ca",
				SerialNumber: "01", NotBefore: "May 28 12:30:02 2019 GMT", NotAfter: "Aug  5 09:36:04 2021 GMT"},
		},
		Authorizer: telemetry.Authorizer{
			PrincipalID: "user|a1", Claims: map[string]string{"email": "a@example.com"},
			Context: map[string]string{"tier": "gold"}, Error: "authz-error",
			IntegrationLatency: 7 * time.Millisecond, IntegrationStatus: 200, Latency: 9 * time.Millisecond,
			RequestID: "authz-req", Status: 200,
			Authorize:    telemetry.Phase{Error: "authorize-error", Latency: 3 * time.Millisecond, Status: 403},
			Authenticate: telemetry.Phase{Error: "authenticate-error", Latency: 4 * time.Millisecond, Status: 401},
		},
		IntegrationType:             "HTTP_PROXY",
		EndpointRequestURI:          "http://127.0.0.1:9/pets/42",
		IntegrationRequestID:        "backend-req-1",
		IntegrationStatus:           201,
		IntegrationLatency:          12*time.Millisecond + 900*time.Microsecond,
		IntegrationError:            "connection reset",
		Status:                      502,
		ResponseLength:              36,
		ResponseLatency:             15 * time.Millisecond,
		ErrorResponseType:           "INTEGRATION_FAILURE",
		ErrorMessage:                "Internal server error",
		ValidationErrorString:       "Invalid request body",
		CustomDomainBasePathMatched: "v1",
		WebACLArn:                   "arn:aws:wafv2:acl",
		WAFResponseCode:             "WAF_ALLOW",
	}
}

// TestEveryContextVariable renders each fixed variable alone, for a full
// event (value) and an empty one ("-": nothing is available).
func TestEveryContextVariable(t *testing.T) {
	tests := map[string]string{
		"$context.accountId":         "000000000000",
		"$context.apiId":             "a1b2c3d4e5",
		"$context.stage":             "prod",
		"$context.deploymentId":      "dep123",
		"$context.isCanaryRequest":   "true",
		"$context.resourceId":        "res42",
		"$context.resourcePath":      "/pets/{petId}",
		"$context.path":              "/prod/pets/42",
		"$context.httpMethod":        "GET",
		"$context.protocol":          "HTTP/1.1",
		"$context.domainName":        "a1b2c3d4e5.execute-api.localhost",
		"$context.domainPrefix":      "a1b2c3d4e5",
		"$context.requestId":         "6a0c5b7e-1111-2222-3333-444455556666",
		"$context.extendedRequestId": "XyZ12AbCdEFg=",
		"$context.requestTime":       "09/Mar/2024:14:05:07 +0000",
		"$context.requestTimeEpoch":  "1709993107123",
		"$context.xrayTraceId":       "Root=1-abc",

		"$context.identity.sourceIp":                      "203.0.113.7",
		"$context.identity.userAgent":                     "curl/8.5.0",
		"$context.identity.caller":                        "AIDACALLER",
		"$context.identity.user":                          "AIDAUSER",
		"$context.identity.userArn":                       "arn:aws:iam::000000000000:user/alice",
		"$context.identity.accountId":                     "111111111111",
		"$context.identity.accessKey":                     "AKIDALICE",
		"$context.identity.apiKey":                        "key-value",
		"$context.identity.apiKeyId":                      "keyid",
		"$context.identity.principalOrgId":                "o-org",
		"$context.identity.cognitoIdentityId":             "cid",
		"$context.identity.cognitoIdentityPoolId":         "pool",
		"$context.identity.cognitoAuthenticationType":     "authenticated",
		"$context.identity.cognitoAuthenticationProvider": "cognito-idp",
		"$context.identity.vpcId":                         "vpc-1",
		"$context.identity.vpceId":                        "vpce-1",
		"$context.identity.clientCert.clientCertPem":      "PEM",
		"$context.identity.clientCert.subjectDN":          "CN=client",
		"$context.identity.clientCert.issuerDN":           "CN=ca",
		"$context.identity.clientCert.serialNumber":       "01",
		"$context.identity.clientCert.validity.notBefore": "May 28 12:30:02 2019 GMT",
		"$context.identity.clientCert.validity.notAfter":  "Aug  5 09:36:04 2021 GMT",

		"$context.authorizer.principalId":        "user|a1",
		"$context.authorizer.error":              "authz-error",
		"$context.authorizer.integrationLatency": "7",
		"$context.authorizer.integrationStatus":  "200",
		"$context.authorizer.latency":            "9",
		"$context.authorizer.requestId":          "authz-req",
		"$context.authorizer.status":             "200",
		"$context.authorize.error":               "authorize-error",
		"$context.authorize.latency":             "3",
		"$context.authorize.status":              "403",
		"$context.authenticate.error":            "authenticate-error",
		"$context.authenticate.latency":          "4",
		"$context.authenticate.status":           "401",

		"$context.error.message":               "Internal server error",
		"$context.error.messageString":         `"Internal server error"`,
		"$context.error.responseType":          "INTEGRATION_FAILURE",
		"$context.error.validationErrorString": "Invalid request body",

		"$context.integrationLatency":            "12",
		"$context.integrationStatus":             "201",
		"$context.integrationErrorMessage":       "connection reset",
		"$context.integration.error":             "connection reset",
		"$context.integration.integrationStatus": "201",
		"$context.integration.latency":           "12",
		"$context.integration.requestId":         "backend-req-1",
		"$context.integration.status":            "201",
		"$context.awsEndpointRequestId":          "backend-req-1",
		"$context.responseLatency":               "15",
		"$context.responseLength":                "36",
		"$context.status":                        "502",

		// Mapping-template-only: never available in an access log.
		"$context.responseOverride.status": "-",

		"$context.customDomain.basePathMatched": "v1",
		"$context.wafResponseCode":              "WAF_ALLOW",
		"$context.webaclArn":                    "arn:aws:wafv2:acl",
		// No WAF step runs in Stagecoach.
		"$context.waf.error":   "-",
		"$context.waf.latency": "-",
		"$context.waf.status":  "-",
	}
	for _, v := range Variables() {
		if _, ok := tests[v]; !ok {
			t.Errorf("variable %s has no test case", v)
		}
	}
	full := fullEvent()
	for variable, want := range tests {
		t.Run(variable, func(t *testing.T) {
			if got := Compile(variable).Render(full); got != want {
				t.Errorf("full event: got %q, want %q", got, want)
			}
			wantEmpty := "-"
			if variable == "$context.isCanaryRequest" {
				wantEmpty = "false" // a boolean is always known
			}
			if got := Compile(variable).Render(&telemetry.RequestEvent{}); got != wantEmpty {
				t.Errorf("empty event: got %q, want %q", got, wantEmpty)
			}
		})
	}
}

func TestVariableFamilies(t *testing.T) {
	ev := fullEvent()
	tests := []struct{ format, want string }{
		{"$context.authorizer.claims.email", "a@example.com"},
		{"$context.authorizer.claims.missing", "-"},
		{"$context.authorizer.tier", "gold"},
		{"$context.requestOverride.header.x", "-"},
		{"$context.requestOverride.path.p", "-"},
		{"$context.requestOverride.querystring.q", "-"},
		{"$context.responseOverride.header.h", "-"},
		{"$context.noSuchVariable", "-"},
		// A trailing dot ends a sentence, not the name.
		{"status $context.status.", "status 502."},
		// $context. followed by nothing is literal text.
		{"$context. $context.stage", "$context. prod"},
		// Adjacent variables and literals.
		{"[$context.stage]:$context.httpMethod/$context.status", "[prod]:GET/502"},
		{"$context.requestId$context.stage", "6a0c5b7e-1111-2222-3333-444455556666prod"},
		// Trailing line breaks are allowed and dropped.
		{"$context.requestId\n", "6a0c5b7e-1111-2222-3333-444455556666"},
	}
	for _, tt := range tests {
		if got := Compile(tt.format).Render(ev); got != tt.want {
			t.Errorf("Compile(%q): got %q, want %q", tt.format, got, tt.want)
		}
	}
}

func TestMissingValues(t *testing.T) {
	ev := &telemetry.RequestEvent{RequestID: "r1", Status: 200}
	tests := []struct{ format, want string }{
		// Not called: no integration latency or status.
		{"$context.integrationLatency $context.integrationStatus", "- -"},
		// A request that was answered has a length, even 0.
		{"$context.responseLength", "0"},
		{"$context.error.messageString", "-"},
	}
	for _, tt := range tests {
		if got := Compile(tt.format).Render(ev); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.format, got, tt.want)
		}
	}
}

// hostile values that would break a naive rendering of each preset.
func hostile() *telemetry.RequestEvent {
	ev := fullEvent()
	ev.Identity.Caller = `he said "hi" \ <b>&</b>, ok`
	ev.Identity.User = "line1\nline2\ttab"
	ev.ResourcePath = "/a,b"
	return ev
}

func TestPresetJSONIsValidJSON(t *testing.T) {
	ev := hostile()
	line := Compile(PresetJSON).Render(ev)
	var got map[string]string
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("JSON preset does not parse: %v\n%s", err, line)
	}
	want := map[string]string{
		"requestId": ev.RequestID, "extendedRequestId": ev.ExtendedRequestID, "ip": "203.0.113.7",
		"caller": ev.Identity.Caller, "user": ev.Identity.User, "requestTime": "09/Mar/2024:14:05:07 +0000",
		"httpMethod": "GET", "resourcePath": "/a,b", "status": "502", "protocol": "HTTP/1.1", "responseLength": "36",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	if strings.Contains(line, "\n") {
		t.Errorf("line break in %q", line)
	}
}

func TestPresetXMLIsValidXML(t *testing.T) {
	ev := hostile()
	line := Compile(PresetXML).Render(ev)
	var got struct {
		ID                string `xml:"id,attr"`
		ExtendedRequestID string `xml:"extendedRequestId"`
		IP                string `xml:"ip"`
		Caller            string `xml:"caller"`
		User              string `xml:"user"`
		RequestTime       string `xml:"requestTime"`
		HTTPMethod        string `xml:"httpMethod"`
		ResourcePath      string `xml:"resourcePath"`
		Status            string `xml:"status"`
		Protocol          string `xml:"protocol"`
		ResponseLength    string `xml:"responseLength"`
	}
	if err := xml.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("XML preset does not parse: %v\n%s", err, line)
	}
	if got.ID != ev.RequestID || got.Caller != ev.Identity.Caller || got.User != ev.Identity.User ||
		got.Status != "502" || got.ResourcePath != "/a,b" || got.RequestTime != "09/Mar/2024:14:05:07 +0000" {
		t.Errorf("XML round trip: %+v", got)
	}
}

func TestPresetCSVIsValidCSV(t *testing.T) {
	ev := hostile()
	ev.Identity.User = "plain"
	line := Compile(PresetCSV).Render(ev)
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		t.Fatalf("CSV preset does not parse: %v\n%s", err, line)
	}
	want := []string{"203.0.113.7", ev.Identity.Caller, "plain", "09/Mar/2024:14:05:07 +0000", "GET", "/a,b",
		"HTTP/1.1", "502", "36", ev.RequestID, ev.ExtendedRequestID}
	if strings.Join(rec, "|") != strings.Join(want, "|") {
		t.Errorf("CSV fields:\n got %q\nwant %q", rec, want)
	}
}

func TestPresetCLF(t *testing.T) {
	ev := fullEvent()
	ev.Identity.Caller, ev.Identity.User = "", ""
	ev.ResourcePath = `/say/"hi"`
	got := Compile(PresetCLF).Render(ev)
	want := `203.0.113.7 - - [09/Mar/2024:14:05:07 +0000] "GET /say/\"hi\" HTTP/1.1" 502 36 ` +
		`6a0c5b7e-1111-2222-3333-444455556666 XyZ12AbCdEFg=`
	if got != want {
		t.Errorf("CLF:\n got %s\nwant %s", got, want)
	}
}

func TestPresetsValidate(t *testing.T) {
	for name, p := range Presets {
		if err := Validate(p); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, format, want string
	}{
		{"request id", "$context.requestId", ""},
		{"extended request id only", "$context.extendedRequestId $context.status", ""},
		{"trailing newline allowed", "$context.requestId $context.status\n", ""},
		{"no request id", "$context.status $context.httpMethod", MsgFormatRequestID},
		{"request id as a prefix of another name", "$context.requestIdx", MsgFormatRequestID},
		{"request id without $context", "requestId", MsgFormatRequestID},
		{"empty", "", MsgFormatRequestID},
		{"two lines", "$context.requestId\n$context.status", MsgFormatSingleLine},
		{"carriage return", "$context.requestId\r $context.status", MsgFormatSingleLine},
		{"exactly 3 KB", "$context.requestId " + strings.Repeat("x", MaxFormatBytes-19), ""},
		{"over 3 KB", "$context.requestId " + strings.Repeat("x", MaxFormatBytes-18), MsgFormatTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.format)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Message != tt.want {
				t.Fatalf("Validate: got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLogGroupFor(t *testing.T) {
	tests := []struct {
		arn, group string
		ok         bool
	}{
		{"arn:aws:logs:us-east-1:123456789012:log-group:ApiAccessLogs", "ApiAccessLogs", true},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigw/pets:*", "/aws/apigw/pets", true},
		{"arn:aws:logs:eu-west-1:123456789012:log-group:a:b", "a:b", true},
		{"arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-pets", "amazon-apigateway-pets", true},
		{"arn:aws:firehose:us-east-1:123456789012:deliverystream/pets", "", false},
		{"arn:aws:logs:us-east-1:123456789012:log-group:", "", false},
		{"arn:aws:s3:::bucket", "", false},
		{"ApiAccessLogs", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		group, ok := LogGroupFor(tt.arn)
		if group != tt.group || ok != tt.ok {
			t.Errorf("LogGroupFor(%q) = %q, %v; want %q, %v", tt.arn, group, ok, tt.group, tt.ok)
		}
		if err := ValidateDestination(tt.arn); (err == nil) != tt.ok {
			t.Errorf("ValidateDestination(%q) = %v", tt.arn, err)
		}
	}
}

func BenchmarkAppendJSONPreset(b *testing.B) {
	f := Compile(PresetJSON)
	ev := fullEvent()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], ev)
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Compile(PresetJSON)
	}
}
