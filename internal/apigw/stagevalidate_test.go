package apigw

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// wantBadRequest asserts err is a BadRequestException with exactly msg, or
// nil when msg is empty.
func wantBadRequest(t *testing.T, err error, msg string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindBadRequest || e.Message != msg {
		t.Fatalf("err = %v\nwant BadRequestException: %s", err, msg)
	}
}

func TestValidateStageName(t *testing.T) {
	for _, c := range []struct{ name, err string }{
		{"prod", ""},
		{"v1-beta_2", ""},
		{strings.Repeat("s", 128), ""},
		{"", "Stage name must be between 1 and 128 characters long"},
		{strings.Repeat("s", 129), "Stage name must be between 1 and 128 characters long"},
		{"pro.d", "Stage name only allows a-zA-Z0-9_-"},
		{"$default", "Stage name only allows a-zA-Z0-9_-"},
		{"prod stage", "Stage name only allows a-zA-Z0-9_-"},
	} {
		wantBadRequest(t, ValidateStageName(c.name), c.err)
	}
}

func TestValidateVariables(t *testing.T) {
	for _, c := range []struct {
		name string
		vars map[string]string
		err  string
	}{
		{"none", nil, ""},
		{"typical", map[string]string{"backend": "api.example.com", "lambdaAlias": "live", "url": "http://x:8080/a?b=c&d=e,f#g~h"}, ""},
		{"value with space", map[string]string{"greeting": "hello world"}, ""},
		{"limits", map[string]string{strings.Repeat("n", 64): strings.Repeat("v", 512)}, ""},
		{"hundred", manyVars(100), ""},
		{"bad name reported in sorted order", map[string]string{"z-z": "1", "a.a": "1"},
			"Invalid stage variable name: a.a.  Please use names with only word characters."},
		{"bad value", map[string]string{"a": "$LATEST"}, "Invalid stage variable value: $LATEST" + variableValueRule},
		{"empty value", map[string]string{"admin_pass": ""}, "Invalid stage variable value: " + variableValueRule},
		{"long name", map[string]string{strings.Repeat("n", 65): "v"},
			"Invalid stage variable name: " + strings.Repeat("n", 65) + ".  Stage variable names must be at most 64 characters long."},
		{"long value", map[string]string{"a": strings.Repeat("v", 513)},
			"Invalid stage variable value: " + strings.Repeat("v", 513) + ".  Stage variable values must be at most 512 characters long."},
		{"too many", manyVars(101), "Too many stage variables. A stage can have at most 100 stage variables"},
	} {
		t.Run(c.name, func(t *testing.T) { wantBadRequest(t, ValidateVariables(c.vars), c.err) })
	}
}

func TestValidateCacheClusterSize(t *testing.T) {
	for _, s := range CacheClusterSizes {
		wantBadRequest(t, ValidateCacheClusterSize(s), "")
	}
	for _, s := range []string{"", "0.50", "1", "500"} {
		wantBadRequest(t, ValidateCacheClusterSize(s),
			"Invalid cache cluster size specified: '"+s+"'. Must be one of: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]")
	}
}

func TestValidateCanarySettings(t *testing.T) {
	const percent = "Canary percentTraffic must be a number between 0.0 and 100.0"
	for _, c := range []struct {
		name   string
		canary *CanarySettings
		err    string
	}{
		{"none", nil, ""},
		{"zero", &CanarySettings{}, ""},
		{"all traffic", &CanarySettings{PercentTraffic: 100, StageVariableOverrides: map[string]string{"a": "b"}}, ""},
		{"negative", &CanarySettings{PercentTraffic: -0.1}, percent},
		{"over 100", &CanarySettings{PercentTraffic: 100.01}, percent},
		{"NaN", &CanarySettings{PercentTraffic: math.NaN()}, percent},
		{"bad override", &CanarySettings{StageVariableOverrides: map[string]string{"a": "b c|"}}, "Invalid stage variable value: b c|" + variableValueRule},
	} {
		t.Run(c.name, func(t *testing.T) { wantBadRequest(t, ValidateCanarySettings(c.canary), c.err) })
	}
}

func TestValidateAccessLogFormat(t *testing.T) {
	const noID = "Access Log format must include either $context.requestId or $context.extendedRequestId"
	for _, c := range []struct{ format, err string }{
		{"$context.requestId", ""},
		{`{"requestId":"$context.requestId","ip":"$context.identity.sourceIp"}`, ""},
		{"$context.extendedRequestId $context.status", ""},
		{"${context.requestId}", ""},
		{"$context.requestId\n", ""},
		{"$context.requestId\r\n", ""},
		{"$context.identity.sourceIp - $context.identity.caller", noID},
		{"$context.requestIdentity", noID},
		{"$context.requestTime $context.requestId", ""},
		{"", noID},
		{"$context.requestId\n\n", "Access Log format must be single line, new line character is allowed only at end of the format"},
		{"a\rb $context.requestId", "Access Log format must be single line, new line character is allowed only at end of the format"},
		{"$context.requestId" + strings.Repeat(" ", 3072-len("$context.requestId")), ""},
		{"$context.requestId" + strings.Repeat(" ", 3073-len("$context.requestId")), "Access Log format must not be larger than 3 KB"},
	} {
		wantBadRequest(t, ValidateAccessLogFormat(c.format), c.err)
	}
}

func TestValidateAccessLogDestination(t *testing.T) {
	invalid := func(arn string) string {
		return "Invalid ARN specified in the request: '" + arn + "'. The access log destination must be a CloudWatch Logs log group ARN or a Kinesis Data Firehose delivery stream ARN"
	}
	for _, c := range []struct{ arn, err string }{
		{"arn:aws:logs:us-east-1:123456789012:log-group:ApiAccessLogs", ""},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/api-gateway/svc-dev", ""},
		{"arn:aws:logs:us-east-1:123456789012:log-group:API-Gateway-Access-Logs_abc/prod:*", ""},
		{"arn:aws-cn:logs:cn-north-1:123456789012:log-group:g", ""},
		{"arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-access", ""},
		{"", invalid("")},
		{"ApiAccessLogs", invalid("ApiAccessLogs")},
		{"arn:aws:logs:us-east-1:123456789012:log-group:", invalid("arn:aws:logs:us-east-1:123456789012:log-group:")},
		{"arn:aws:logs:us-east-1:123456789012:destination:d", invalid("arn:aws:logs:us-east-1:123456789012:destination:d")},
		{"arn:aws:logs:us-east-1:12345:log-group:g", invalid("arn:aws:logs:us-east-1:12345:log-group:g")},
		{"arn:aws:logs::123456789012:log-group:g", invalid("arn:aws:logs::123456789012:log-group:g")},
		{"arn:aws:logs:us-east-1:123456789012:log-group:bad name", invalid("arn:aws:logs:us-east-1:123456789012:log-group:bad name")},
		{"arn:aws:s3:us-east-1:123456789012:bucket/b", invalid("arn:aws:s3:us-east-1:123456789012:bucket/b")},
		{"arn:aws:firehose:us-east-1:123456789012:stream/amazon-apigateway-x", invalid("arn:aws:firehose:us-east-1:123456789012:stream/amazon-apigateway-x")},
		{"arn:aws:firehose:us-east-1:123456789012:deliverystream/access",
			"Invalid ARN specified in the request: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/access'. The Kinesis Data Firehose delivery stream name must begin with amazon-apigateway-"},
	} {
		wantBadRequest(t, ValidateAccessLogDestination(c.arn), c.err)
	}
}

func TestIsFirehoseARN(t *testing.T) {
	eq(t, IsFirehoseARN("arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-x"), true)
	eq(t, IsFirehoseARN("arn:aws:logs:us-east-1:123456789012:log-group:g"), false)
	eq(t, IsFirehoseARN(""), false)
}
