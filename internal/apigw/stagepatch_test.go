package apigw

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The deployment "dep1" the test stage serves has this resource tree.
func testResources() map[string]*Resource {
	m := func(verbs ...string) map[string]*Method {
		out := map[string]*Method{}
		for _, v := range verbs {
			out[v] = &Method{HTTPMethod: v}
		}
		return out
	}
	return map[string]*Resource{
		"root":  {ID: "root", Path: "/", ResourceMethods: m("GET")},
		"pets":  {ID: "pets", ParentID: "root", PathPart: "pets", Path: "/pets", ResourceMethods: m("GET", "POST")},
		"pet":   {ID: "pet", ParentID: "pets", PathPart: "{id}", Path: "/pets/{id}", ResourceMethods: m("GET")},
		"proxy": {ID: "proxy", ParentID: "root", PathPart: "{proxy+}", Path: "/{proxy+}", ResourceMethods: m("ANY")},
		"empty": {ID: "empty", ParentID: "root", PathPart: "empty", Path: "/empty"},
	}
}

const testRoleArn = "arn:aws:iam::123456789012:role/apigw-logs"

// testEnv is an account with a logging role and AWS's default limits, in
// an API with deployments dep1, dep2 and dep3.
func testEnv() StagePatchEnv {
	return StagePatchEnv{
		DeploymentExists:  func(id string) bool { return id == "dep1" || id == "dep2" || id == "dep3" },
		Resources:         testResources(),
		CloudwatchRoleArn: testRoleArn,
		AccountThrottle:   ThrottleSettings{BurstLimit: 5000, RateLimit: 10000},
	}
}

func noRole(env StagePatchEnv) StagePatchEnv { env.CloudwatchRoleArn = ""; return env }

// testStage is a freshly created stage "prod" on dep1.
func testStage() *Stage {
	return &Stage{
		DeploymentID:       "dep1",
		StageName:          "prod",
		CacheClusterStatus: CacheStatusNotAvailable,
		MethodSettings:     map[string]MethodSetting{},
	}
}

func withCanary(st *Stage) *Stage {
	st.CanarySettings = &CanarySettings{
		PercentTraffic:         10,
		DeploymentID:           "dep2",
		StageVariableOverrides: map[string]string{"backend": "canary.internal", "extra": "x"},
	}
	st.Variables = map[string]string{"backend": "prod.internal", "keep": "k"}
	return st
}

func withWildcard(st *Stage) *Stage {
	ms := NewMethodSetting(ThrottleSettings{BurstLimit: 5000, RateLimit: 10000})
	ms.ThrottlingBurstLimit = 100
	ms.ThrottlingRateLimit = 50
	ms.LoggingLevel = "ERROR"
	st.MethodSettings[WildcardMethodKey] = ms
	return st
}

func op(o, path, value string) PatchOperation { return PatchOperation{Op: o, Path: path, Value: value} }

func copyOp(from, path string) PatchOperation {
	return PatchOperation{Op: OpCopy, Path: path, From: from}
}

// invalidPathMsg is the §3 text, written out independently of the code.
func invalidPathMsg(path string) string {
	return "Invalid method setting path: " + path + ". Must be one of: [/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]"
}

// invalidSettingMsg is AWS's text for an unknown setting under a valid
// {resourcePath}/{httpMethod} (aws/aws-sdk-java#1823), written out
// independently of the code.
func invalidSettingMsg(setting string) string {
	return "Invalid method setting path: " + setting + ". Must be one of: [.../metrics/enabled, .../logging/dataTrace, .../logging/loglevel,.../throttling/burstLimit, .../throttling/rateLimit, .../caching/ttlInSeconds, .../caching/enabled, .../caching/dataEncrypted, .../caching/requireAuthorizationForCacheControl, .../caching/unauthorizedCacheControlHeaderStrategy]"
}

// stageJSONKeys returns the JSON keys v marshals to, sorted.
func stageJSONKeys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(m))
}

func cannotRemoveMsg(name string) string {
	return "Cannot remove method setting " + name + " because there is no method setting for this method "
}

const variableValueRule = ".  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','."

type stagePatchCase struct {
	name    string
	stage   func() *Stage // nil: testStage
	env     func() StagePatchEnv
	ops     []PatchOperation
	wantErr string                        // exact BadRequestException message
	check   func(t *testing.T, st *Stage) // on success
	// src is where the rule comes from when it is AWS's recorded answer
	// rather than this engine's own choice: an AWS document or a public
	// thread that quotes AWS's reply.
	src string
}

// Sources cited by the parity rows below.
const (
	srcCLIUpdateStage = "AWS CLI reference, apigateway update-stage examples 1 and 2 (get-stage output after the write)"
	srcCLIGetStage    = "AWS CLI reference, apigateway get-stage example (methodSettings keys */* and ~1resource/GET)"
	srcTerraformDoc   = "terraform-provider-aws docs, aws_api_gateway_method_settings: method_path is the resource path without its leading slash (localstack/localstack#9334 shows the /test/GET/... patch it sends)"
	srcTF9738         = "hashicorp/terraform-provider-aws#9738: get-stage after //tenant/{tenant-name}/enrollment_codes/GET/... shows the key with its leading slash"
	srcTF15855        = "hashicorp/terraform-provider-aws#15855: AWS refused /{proxy+}/ANY//throttling/burstLimit"
	srcSlsAlias133    = "serverless-heaven/serverless-aws-alias#133: AWS refused /~1//logging/dataTrace with the full path list"
	srcSDKJava1823    = "aws/aws-sdk-java#1823: AWS's answer to /*/*/accessLogSettings/format"
	srcCdkd971        = "go-to-k/cdkd#971 (verified live): field-level remove refused, whole-key remove then replace in one call applies in order"
	srcSteadybit      = "steadybit extension source: op=remove on /*/*/throttling/rateLimit errors with \"Cannot remove method setting ...\""
)

// stagePatchCases covers every path of update-stage-patch.md §2, valid and
// invalid. The fuzz target seeds its corpus from them too.
var stagePatchCases = []stagePatchCase{
	// §2.1 /deploymentId
	{name: "deploymentId/replace", ops: []PatchOperation{op("replace", "/deploymentId", "dep2")},
		check: func(t *testing.T, st *Stage) { eq(t, st.DeploymentID, "dep2") }},
	{name: "deploymentId/add is replace", ops: []PatchOperation{op("add", "/deploymentId", "dep3")},
		check: func(t *testing.T, st *Stage) { eq(t, st.DeploymentID, "dep3") }},
	{name: "deploymentId/unknown", ops: []PatchOperation{op("replace", "/deploymentId", "nope")},
		wantErr: "Deployment id does not exist"},
	{name: "deploymentId/empty", ops: []PatchOperation{op("replace", "/deploymentId", "")},
		wantErr: "Deployment id does not exist"},
	{name: "deploymentId/remove", ops: []PatchOperation{op("remove", "/deploymentId", "")},
		wantErr: "Invalid remove operation with path: /deploymentId"},
	{name: "deploymentId/non-canary deployment while canary exists", stage: func() *Stage { return withCanary(testStage()) },
		ops:     []PatchOperation{op("replace", "/deploymentId", "dep3")},
		wantErr: MsgCanaryNonCanaryDeployment},
	{name: "deploymentId/canary deployment while canary exists", stage: func() *Stage { return withCanary(testStage()) },
		ops:   []PatchOperation{op("replace", "/deploymentId", "dep2")},
		check: func(t *testing.T, st *Stage) { eq(t, st.DeploymentID, "dep2") }},
	{name: "deploymentId/same deployment while canary exists", stage: func() *Stage { return withCanary(testStage()) },
		ops:   []PatchOperation{op("replace", "/deploymentId", "dep1")},
		check: func(t *testing.T, st *Stage) { eq(t, st.DeploymentID, "dep1") }},

	// /description
	{name: "description/replace", ops: []PatchOperation{op("replace", "/description", "Production")},
		check: func(t *testing.T, st *Stage) { eq(t, st.Description, "Production") }},
	{name: "description/remove", stage: func() *Stage { st := testStage(); st.Description = "old"; return st },
		ops:   []PatchOperation{op("remove", "/description", "")},
		check: func(t *testing.T, st *Stage) { eq(t, st.Description, "") }},
	{name: "description/move", ops: []PatchOperation{op("move", "/description", "x")},
		wantErr: "Invalid move operation with path: /description"},
	{name: "unknown op", ops: []PatchOperation{op("frobnicate", "/description", "x")},
		wantErr: "Invalid frobnicate operation with path: /description"},

	// /cacheClusterEnabled, /cacheClusterSize
	{name: "cache/enable provisions 0.5 GB", ops: []PatchOperation{op("replace", "/cacheClusterEnabled", "true")},
		check: func(t *testing.T, st *Stage) {
			eq(t, st.CacheClusterEnabled, true)
			eq(t, st.CacheClusterStatus, CacheStatusAvailable)
			eq(t, st.CacheClusterSize, "0.5")
		}},
	{name: "cache/enable case-insensitive keeps size",
		ops: []PatchOperation{op("replace", "/cacheClusterSize", "6.1"), op("replace", "/cacheClusterEnabled", "TRUE")},
		check: func(t *testing.T, st *Stage) {
			eq(t, st.CacheClusterEnabled, true)
			eq(t, st.CacheClusterSize, "6.1")
		}},
	{name: "cache/disable", stage: func() *Stage {
		st := testStage()
		st.CacheClusterEnabled, st.CacheClusterSize, st.CacheClusterStatus = true, "1.6", CacheStatusAvailable
		return st
	},
		ops: []PatchOperation{op("replace", "/cacheClusterEnabled", "False")},
		check: func(t *testing.T, st *Stage) {
			eq(t, st.CacheClusterEnabled, false)
			eq(t, st.CacheClusterStatus, CacheStatusNotAvailable)
		}},
	{name: "cache/resize while enabled", stage: func() *Stage {
		st := testStage()
		st.CacheClusterEnabled, st.CacheClusterSize, st.CacheClusterStatus = true, "0.5", CacheStatusAvailable
		return st
	},
		ops: []PatchOperation{op("replace", "/cacheClusterSize", "237")},
		check: func(t *testing.T, st *Stage) {
			eq(t, st.CacheClusterSize, "237")
			eq(t, st.CacheClusterStatus, CacheStatusAvailable)
		}},
	{name: "cache/enabled not boolean", ops: []PatchOperation{op("replace", "/cacheClusterEnabled", "yes")},
		wantErr: "Invalid value 'yes' specified for /cacheClusterEnabled. Must be true or false"},
	{name: "cache/enabled remove", ops: []PatchOperation{op("remove", "/cacheClusterEnabled", "")},
		wantErr: "Invalid remove operation with path: /cacheClusterEnabled"},
	{name: "cache/size invalid", ops: []PatchOperation{op("replace", "/cacheClusterSize", "7")},
		wantErr: "Invalid cache cluster size specified: '7'. Must be one of: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]"},
	{name: "cache/size remove", ops: []PatchOperation{op("remove", "/cacheClusterSize", "")},
		wantErr: "Invalid remove operation with path: /cacheClusterSize"},

	// /clientCertificateId, /tracingEnabled
	{name: "clientCertificateId/replace", ops: []PatchOperation{op("replace", "/clientCertificateId", "cert1")},
		check: func(t *testing.T, st *Stage) { eq(t, st.ClientCertificateID, "cert1") }},
	{name: "clientCertificateId/remove", stage: func() *Stage { st := testStage(); st.ClientCertificateID = "c"; return st },
		ops:   []PatchOperation{op("remove", "/clientCertificateId", "")},
		check: func(t *testing.T, st *Stage) { eq(t, st.ClientCertificateID, "") }},
	{name: "clientCertificateId/test", ops: []PatchOperation{op("test", "/clientCertificateId", "c")},
		wantErr: "Invalid test operation with path: /clientCertificateId"},
	{name: "tracing/enable", ops: []PatchOperation{op("replace", "/tracingEnabled", "True")},
		check: func(t *testing.T, st *Stage) { eq(t, st.TracingEnabled, true) }},
	{name: "tracing/not boolean", ops: []PatchOperation{op("replace", "/tracingEnabled", "1")},
		wantErr: "Invalid value '1' specified for /tracingEnabled. Must be true or false"},
	{name: "tracing/remove", ops: []PatchOperation{op("remove", "/tracingEnabled", "")},
		wantErr: "Invalid remove operation with path: /tracingEnabled"},

	// /accessLogSettings
	{name: "accessLog/destination and format", ops: []PatchOperation{
		op("replace", "/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:123456789012:log-group:access"),
		op("replace", "/accessLogSettings/format", "$context.requestId $context.status"),
	}, check: func(t *testing.T, st *Stage) {
		eq(t, *st.AccessLogSettings, AccessLogSettings{
			DestinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:access",
			Format:         "$context.requestId $context.status"})
	}},
	{name: "accessLog/needs role", env: func() StagePatchEnv { return noRole(testEnv()) }, ops: []PatchOperation{
		op("replace", "/accessLogSettings/format", "$context.requestId"),
		op("replace", "/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:123456789012:log-group:access"),
	}, wantErr: MsgLoggingRoleNeeded},
	{name: "accessLog/firehose needs no role", env: func() StagePatchEnv { return noRole(testEnv()) }, ops: []PatchOperation{
		op("replace", "/accessLogSettings/format", "$context.extendedRequestId"),
		op("replace", "/accessLogSettings/destinationArn", "arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-logs"),
	}, check: func(t *testing.T, st *Stage) { eq(t, st.AccessLogSettings.Format, "$context.extendedRequestId") }},
	{name: "accessLog/log group with :*", ops: []PatchOperation{
		op("replace", "/accessLogSettings/destinationArn", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigw/prod:*"),
	}, check: func(t *testing.T, st *Stage) {
		eq(t, st.AccessLogSettings.DestinationArn, "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigw/prod:*")
	}},
	{name: "accessLog/bad destination", ops: []PatchOperation{op("replace", "/accessLogSettings/destinationArn", "my-log-group")},
		wantErr: "Invalid ARN specified in the request: 'my-log-group'. The access log destination must be a CloudWatch Logs log group ARN or a Kinesis Data Firehose delivery stream ARN"},
	{name: "accessLog/firehose name prefix", ops: []PatchOperation{op("replace", "/accessLogSettings/destinationArn", "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs")},
		wantErr: "Invalid ARN specified in the request: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/logs'. The Kinesis Data Firehose delivery stream name must begin with amazon-apigateway-"},
	{name: "accessLog/format without request id (Alchemy example)",
		ops:     []PatchOperation{op("replace", "/accessLogSettings/format", "$context.identity.sourceIp - $context.identity.caller")},
		wantErr: "Access Log format must include either $context.requestId or $context.extendedRequestId"},
	{name: "accessLog/format multi-line",
		ops:     []PatchOperation{op("replace", "/accessLogSettings/format", "$context.requestId\n$context.status")},
		wantErr: "Access Log format must be single line, new line character is allowed only at end of the format"},
	{name: "accessLog/format too large",
		ops:     []PatchOperation{op("replace", "/accessLogSettings/format", "$context.requestId "+strings.Repeat("x", 3072))},
		wantErr: "Access Log format must not be larger than 3 KB"},
	{name: "accessLog/remove needs no role", env: func() StagePatchEnv { return noRole(testEnv()) },
		stage: func() *Stage {
			st := testStage()
			st.AccessLogSettings = &AccessLogSettings{Format: "$context.requestId", DestinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:a"}
			return st
		},
		ops:   []PatchOperation{op("remove", "/accessLogSettings", "")},
		check: func(t *testing.T, st *Stage) { eq(t, st.AccessLogSettings == nil, true) }},
	{name: "accessLog/replace whole", ops: []PatchOperation{op("replace", "/accessLogSettings", "x")},
		wantErr: "Invalid replace operation with path: /accessLogSettings"},
	{name: "accessLog/remove field", ops: []PatchOperation{op("remove", "/accessLogSettings/format", "")},
		wantErr: "Invalid remove operation with path: /accessLogSettings/format"},

	// /variables/{name}
	{name: "variables/replace and add", ops: []PatchOperation{
		op("replace", "/variables/backend", "api.internal.example"),
		op("add", "/variables/url", "https://example.com/a?b=c&d=e,f#g~h"),
		op("replace", "/variables/greeting", "hello world"),
	}, check: func(t *testing.T, st *Stage) {
		eq(t, st.Variables, map[string]string{"backend": "api.internal.example", "url": "https://example.com/a?b=c&d=e,f#g~h", "greeting": "hello world"})
	}},
	{name: "variables/remove", stage: func() *Stage { return withCanary(testStage()) },
		ops:   []PatchOperation{op("remove", "/variables/backend", ""), op("remove", "/variables/unknown", "")},
		check: func(t *testing.T, st *Stage) { eq(t, st.Variables, map[string]string{"keep": "k"}) }},
	{name: "variables/remove last", stage: func() *Stage { st := testStage(); st.Variables = map[string]string{"a": "b"}; return st },
		ops:   []PatchOperation{op("remove", "/variables/a", "")},
		check: func(t *testing.T, st *Stage) { eq(t, st.Variables == nil, true) }},
	{name: "variables/bad name", ops: []PatchOperation{op("replace", "/variables/owner:app", "x")},
		wantErr: "Invalid stage variable name: owner:app.  Please use names with only word characters."},
	{name: "variables/empty name", ops: []PatchOperation{op("replace", "/variables/", "x")},
		wantErr: "Invalid stage variable name: .  Please use names with only word characters."},
	{name: "variables/long name", ops: []PatchOperation{op("replace", "/variables/"+strings.Repeat("n", 65), "x")},
		wantErr: "Invalid stage variable name: " + strings.Repeat("n", 65) + ".  Stage variable names must be at most 64 characters long."},
	{name: "variables/bad value", ops: []PatchOperation{op("replace", "/variables/a", "x|y")},
		wantErr: "Invalid stage variable value: x|y" + variableValueRule},
	{name: "variables/empty value", ops: []PatchOperation{op("replace", "/variables/a", "")},
		wantErr: "Invalid stage variable value: " + variableValueRule},
	{name: "variables/long value", ops: []PatchOperation{op("replace", "/variables/a", strings.Repeat("v", 513))},
		wantErr: "Invalid stage variable value: " + strings.Repeat("v", 513) + ".  Stage variable values must be at most 512 characters long."},
	{name: "variables/101st", stage: func() *Stage { st := testStage(); st.Variables = manyVars(100); return st },
		ops:     []PatchOperation{op("replace", "/variables/one_more", "x")},
		wantErr: "Too many stage variables. A stage can have at most 100 stage variables"},
	{name: "variables/overwrite at limit", stage: func() *Stage { st := testStage(); st.Variables = manyVars(100); return st },
		ops:   []PatchOperation{op("replace", "/variables/v0", "new")},
		check: func(t *testing.T, st *Stage) { eq(t, st.Variables["v0"], "new") }},
	{name: "variables/move", ops: []PatchOperation{op("move", "/variables/a", "x")},
		wantErr: "Invalid move operation with path: /variables/a"},
	{name: "variables/whole map", ops: []PatchOperation{op("replace", "/variables", "x")},
		wantErr: invalidPathMsg("/variables")},

	// §2.2 method settings
	{name: "methods/wildcard created with defaults", ops: []PatchOperation{op("replace", "/*/*/logging/dataTrace", "true")},
		src: srcCLIUpdateStage,
		check: func(t *testing.T, st *Stage) {
			eq(t, st.MethodSettings, map[string]MethodSetting{"*/*": {
				DataTraceEnabled: true, ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000,
				CacheTTLInSeconds: 300, RequireAuthorizationForCacheControl: true,
				UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
			}})
			eq(t, stageJSONKeys(t, st.MethodSettings["*/*"]), []string{"cacheDataEncrypted", "cacheTtlInSeconds",
				"cachingEnabled", "dataTraceEnabled", "metricsEnabled", "requireAuthorizationForCacheControl",
				"throttlingBurstLimit", "throttlingRateLimit", "unauthorizedCacheControlHeaderStrategy"})
		}},
	{name: "methods/escaped entry created with defaults, key kept escaped",
		ops: []PatchOperation{op("replace", "/~1pets/GET/logging/dataTrace", "false")}, src: srcCLIUpdateStage,
		check: func(t *testing.T, st *Stage) {
			eq(t, st.MethodSettings, map[string]MethodSetting{"~1pets/GET": NewMethodSetting(ThrottleSettings{})})
		}},
	{name: "methods/loggingLevel appears once set", ops: []PatchOperation{
		op("replace", "/*/*/metrics/enabled", "true"), op("replace", "/*/*/logging/loglevel", "INFO")},
		src:   srcCLIGetStage,
		check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings["*/*"].LoggingLevel, "INFO") }},
	{name: "methods/per-method entry inherits */* set earlier in the same call", ops: []PatchOperation{
		op("replace", "/*/*/throttling/rateLimit", "500"),
		op("replace", "/*/*/throttling/burstLimit", "1000"),
		op("replace", "/*/*/logging/loglevel", "INFO"),
		op("replace", "/~1pets/GET/metrics/enabled", "true"),
	}, src: srcCLIGetStage + " (the ~1resource/GET entry carries */*'s 500/1000 and INFO)",
		check: func(t *testing.T, st *Stage) {
			want := st.MethodSettings["*/*"]
			want.MetricsEnabled = true
			eq(t, st.MethodSettings["~1pets/GET"], want)
			eq(t, st.MethodSettings["*/*"].MetricsEnabled, false)
		}},
	{name: "methods/remove entry then replace in one call starts afresh", stage: func() *Stage {
		st := testStage()
		ms := NewMethodSetting(ThrottleSettings{})
		ms.CachingEnabled, ms.ThrottlingRateLimit = true, 5
		st.MethodSettings["~1pets/GET"] = ms
		return st
	}, ops: []PatchOperation{op("remove", "/~1pets/GET", ""), op("replace", "/~1pets/GET/throttling/burstLimit", "10")},
		src: srcCdkd971,
		check: func(t *testing.T, st *Stage) {
			want := NewMethodSetting(ThrottleSettings{})
			want.ThrottlingBurstLimit = 10
			eq(t, st.MethodSettings["~1pets/GET"], want)
		}},
	{name: "methods/defaults follow account throttle", env: func() StagePatchEnv {
		env := testEnv()
		env.AccountThrottle = ThrottleSettings{BurstLimit: 200, RateLimit: 100}
		return env
	},
		ops: []PatchOperation{op("replace", "/*/*/caching/enabled", "true")},
		check: func(t *testing.T, st *Stage) {
			ms := st.MethodSettings["*/*"]
			eq(t, [2]float64{float64(ms.ThrottlingBurstLimit), ms.ThrottlingRateLimit}, [2]float64{200, 100})
			eq(t, ms.CachingEnabled, true)
		}},
	{name: "methods/override copies wildcard", stage: func() *Stage { return withWildcard(testStage()) },
		ops: []PatchOperation{op("replace", "/~1pets/GET/caching/enabled", "true")},
		check: func(t *testing.T, st *Stage) {
			want := st.MethodSettings["*/*"]
			want.CachingEnabled = true
			eq(t, st.MethodSettings["~1pets/GET"], want)
			eq(t, st.MethodSettings["*/*"].CachingEnabled, false)
			got, ok := st.MethodSettingFor("/pets", "GET")
			eq(t, ok, true)
			eq(t, got.ThrottlingRateLimit, 50.0)
		}},
	{name: "methods/override without wildcard uses defaults",
		ops: []PatchOperation{op("replace", "/~1pets~1{id}/GET/caching/ttlInSeconds", "60")},
		check: func(t *testing.T, st *Stage) {
			want := NewMethodSetting(ThrottleSettings{})
			want.CacheTTLInSeconds = 60
			eq(t, st.MethodSettings, map[string]MethodSetting{"~1pets~1{id}/GET": want})
		}},
	{name: "methods/raw resource path (Terraform)", ops: []PatchOperation{op("replace", "/pets/{id}/GET/metrics/enabled", "true")},
		src: srcTerraformDoc,
		check: func(t *testing.T, st *Stage) {
			eq(t, st.MethodSettings["pets/{id}/GET"].MetricsEnabled, true)
			ms, _ := st.MethodSettingFor("/pets/{id}", "GET")
			eq(t, ms.MetricsEnabled, true)
		}},
	{name: "methods/raw one-segment path (Terraform)", ops: []PatchOperation{op("replace", "/pets/GET/throttling/burstLimit", "7")},
		src: srcTerraformDoc,
		check: func(t *testing.T, st *Stage) {
			eq(t, st.MethodSettings["pets/GET"].ThrottlingBurstLimit, 7)
			ms, key, _ := st.OwnMethodSetting("/pets", "GET")
			eq(t, [2]any{ms.ThrottlingBurstLimit, key}, [2]any{7, "pets/GET"})
		}},
	{name: "methods/escaped path keeps ~1 in the key", ops: []PatchOperation{op("replace", "/~1pets~1{id}/GET/metrics/enabled", "true")},
		src: srcCLIUpdateStage,
		check: func(t *testing.T, st *Stage) {
			_, isPlain := st.MethodSettings["pets/{id}/GET"]
			eq(t, [2]bool{st.MethodSettings["~1pets~1{id}/GET"].MetricsEnabled, isPlain}, [2]bool{true, false})
		}},
	{name: "methods/leading slash kept in the key and not applied", ops: []PatchOperation{op("replace", "//pets/{id}/GET/caching/enabled", "true")},
		src: srcTF9738,
		check: func(t *testing.T, st *Stage) {
			eq(t, st.MethodSettings["/pets/{id}/GET"].CachingEnabled, true)
			_, _, own := st.OwnMethodSetting("/pets/{id}", "GET")
			eq(t, own, false)
		}},
	{name: "methods/empty verb segment", ops: []PatchOperation{op("replace", "/{proxy+}/ANY//throttling/burstLimit", "1")},
		src: srcTF15855, wantErr: invalidPathMsg("/{proxy+}/ANY//throttling/burstLimit")},
	{name: "methods/empty verb after root", ops: []PatchOperation{op("replace", "/~1//logging/dataTrace", "true")},
		src: srcSlsAlias133, wantErr: invalidPathMsg("/~1//logging/dataTrace")},
	{name: "methods/root resource", ops: []PatchOperation{op("replace", "/~1/GET/metrics/enabled", "true")},
		check: func(t *testing.T, st *Stage) {
			ms, _ := st.MethodSettingFor("/", "GET")
			eq(t, ms.MetricsEnabled, true)
		}},
	{name: "methods/verb served by ANY", ops: []PatchOperation{
		op("replace", "/~1{proxy+}/GET/metrics/enabled", "true"),
		op("replace", "/~1{proxy+}/ANY/metrics/enabled", "true"),
	}, check: func(t *testing.T, st *Stage) {
		eq(t, st.MethodSettings["~1{proxy+}/GET"].MetricsEnabled, true)
		eq(t, st.MethodSettings["~1{proxy+}/ANY"].MetricsEnabled, true)
	}},
	{name: "methods/no resource tree skips the check", env: func() StagePatchEnv { env := testEnv(); env.Resources = nil; return env },
		ops:   []PatchOperation{op("replace", "/~1elsewhere/DELETE/metrics/enabled", "true")},
		check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings["~1elsewhere/DELETE"].MetricsEnabled, true) }},
	{name: "methods/unknown resource", ops: []PatchOperation{op("replace", "/~1nope/GET/metrics/enabled", "true")},
		wantErr: invalidPathMsg("/~1nope/GET/metrics/enabled")},
	{name: "methods/unknown method", ops: []PatchOperation{op("replace", "/~1pets/DELETE/metrics/enabled", "true")},
		wantErr: invalidPathMsg("/~1pets/DELETE/metrics/enabled")},
	{name: "methods/resource without methods", ops: []PatchOperation{op("replace", "/~1empty/GET/metrics/enabled", "true")},
		wantErr: invalidPathMsg("/~1empty/GET/metrics/enabled")},
	{name: "methods/lower-case verb", ops: []PatchOperation{op("replace", "/~1pets/get/metrics/enabled", "true")},
		wantErr: invalidPathMsg("/~1pets/get/metrics/enabled")},
	{name: "methods/half wildcard", ops: []PatchOperation{op("replace", "/*/GET/metrics/enabled", "true")},
		wantErr: invalidPathMsg("/*/GET/metrics/enabled")},
	{name: "methods/half wildcard verb", ops: []PatchOperation{op("replace", "/~1pets/*/metrics/enabled", "true")},
		wantErr: invalidPathMsg("/~1pets/*/metrics/enabled")},
	{name: "methods/unknown setting", ops: []PatchOperation{op("replace", "/*/*/metrics/disabled", "true")},
		src: srcSDKJava1823, wantErr: invalidSettingMsg("metrics/disabled")},
	{name: "methods/unknown setting of a method", ops: []PatchOperation{op("replace", "/~1pets/GET/caching/size", "1")},
		src: srcSDKJava1823, wantErr: invalidSettingMsg("caching/size")},
	{name: "methods/group only", ops: []PatchOperation{op("replace", "/*/*/metrics", "true")},
		wantErr: invalidPathMsg("/*/*/metrics")},
	{name: "methods/access log under wildcard", ops: []PatchOperation{op("replace", "/*/*/accessLogSettings/format", "test")},
		src: srcSDKJava1823, wantErr: invalidSettingMsg("accessLogSettings/format")},
	{name: "path/unknown", ops: []PatchOperation{op("replace", "/stageName", "x")},
		wantErr: invalidPathMsg("/stageName")},
	{name: "path/empty", ops: []PatchOperation{op("replace", "", "x")},
		wantErr: invalidPathMsg("")},
	{name: "path/no leading slash", ops: []PatchOperation{op("replace", "description", "x")},
		wantErr: invalidPathMsg("description")},
	{name: "path/empty resource", ops: []PatchOperation{op("replace", "//GET/metrics/enabled", "x")},
		wantErr: invalidPathMsg("//GET/metrics/enabled")},

	{name: "methods/loglevel INFO", ops: []PatchOperation{op("replace", "/*/*/logging/loglevel", "INFO")},
		check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings["*/*"].LoggingLevel, "INFO") }},
	{name: "methods/loglevel OFF without role", env: func() StagePatchEnv { return noRole(testEnv()) },
		ops:   []PatchOperation{op("replace", "/*/*/logging/loglevel", "OFF")},
		check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings["*/*"].LoggingLevel, "OFF") }},
	{name: "methods/loglevel ERROR without role", env: func() StagePatchEnv { return noRole(testEnv()) },
		ops: []PatchOperation{op("replace", "/*/*/logging/loglevel", "ERROR")}, wantErr: MsgLoggingRoleNeeded},
	{name: "methods/loglevel INFO without role", env: func() StagePatchEnv { return noRole(testEnv()) },
		ops: []PatchOperation{op("replace", "/~1pets/GET/logging/loglevel", "INFO")}, wantErr: MsgLoggingRoleNeeded},
	{name: "methods/loglevel unknown", ops: []PatchOperation{op("replace", "/*/*/logging/loglevel", "DEBUG")},
		wantErr: "Invalid value 'DEBUG' specified for /*/*/logging/loglevel. Must be one of: [OFF, ERROR, INFO]"},
	{name: "methods/loglevel lower case", ops: []PatchOperation{op("replace", "/*/*/logging/loglevel", "info")},
		wantErr: "Invalid value 'info' specified for /*/*/logging/loglevel. Must be one of: [OFF, ERROR, INFO]"},
	{name: "methods/dataTrace", ops: []PatchOperation{op("replace", "/*/*/logging/dataTrace", "true")},
		check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings["*/*"].DataTraceEnabled, true) }},
	{name: "methods/dataTrace without role", env: func() StagePatchEnv { return noRole(testEnv()) },
		ops: []PatchOperation{op("replace", "/*/*/logging/dataTrace", "true")}, wantErr: MsgLoggingRoleNeeded},
	{name: "methods/dataTrace off without role", env: func() StagePatchEnv { return noRole(testEnv()) },
		ops:   []PatchOperation{op("replace", "/*/*/logging/dataTrace", "false")},
		check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings["*/*"].DataTraceEnabled, false) }},
	{name: "methods/dataTrace not boolean", ops: []PatchOperation{op("replace", "/*/*/logging/dataTrace", "on")},
		wantErr: "Invalid value 'on' specified for /*/*/logging/dataTrace. Must be true or false"},
	{name: "methods/metrics not boolean", ops: []PatchOperation{op("replace", "/*/*/metrics/enabled", "")},
		wantErr: "Invalid value '' specified for /*/*/metrics/enabled. Must be true or false"},

	{name: "methods/throttling", ops: []PatchOperation{
		op("replace", "/*/*/throttling/burstLimit", "100"),
		op("replace", "/*/*/throttling/rateLimit", "50.5"),
	}, check: func(t *testing.T, st *Stage) {
		eq(t, st.MethodSettings["*/*"].ThrottlingBurstLimit, 100)
		eq(t, st.MethodSettings["*/*"].ThrottlingRateLimit, 50.5)
	}},
	{name: "methods/throttling -1 is unthrottled (Terraform)", ops: []PatchOperation{
		op("replace", "/*/*/throttling/burstLimit", "-1"),
		op("replace", "/*/*/throttling/rateLimit", "-1.000000"),
	}, check: func(t *testing.T, st *Stage) {
		eq(t, st.MethodSettings["*/*"].ThrottlingBurstLimit, -1)
		eq(t, st.MethodSettings["*/*"].ThrottlingRateLimit, -1.0)
	}},
	{name: "methods/throttling at account limits", ops: []PatchOperation{
		op("replace", "/*/*/throttling/burstLimit", "5000"),
		op("replace", "/*/*/throttling/rateLimit", "10000"),
		op("replace", "/*/*/throttling/burstLimit", "0"),
	}, check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings["*/*"].ThrottlingBurstLimit, 0) }},
	{name: "methods/burst above account", ops: []PatchOperation{op("replace", "/*/*/throttling/burstLimit", "5001")},
		wantErr: "Invalid value '5001' specified for /*/*/throttling/burstLimit. The burst limit must not be more than the account-level burst limit of 5000"},
	{name: "methods/rate above account", ops: []PatchOperation{op("replace", "/~1pets/POST/throttling/rateLimit", "10000.5")},
		wantErr: "Invalid value '10000.5' specified for /~1pets/POST/throttling/rateLimit. The rate limit must not be more than the account-level rate limit of 10000.0"},
	{name: "methods/burst negative", ops: []PatchOperation{op("replace", "/*/*/throttling/burstLimit", "-2")},
		wantErr: "Invalid value '-2' specified for /*/*/throttling/burstLimit. Must be greater than or equal to 0, or -1 to disable throttling"},
	{name: "methods/rate negative", ops: []PatchOperation{op("replace", "/*/*/throttling/rateLimit", "-0.5")},
		wantErr: "Invalid value '-0.5' specified for /*/*/throttling/rateLimit. Must be greater than or equal to 0, or -1 to disable throttling"},
	{name: "methods/burst not integer", ops: []PatchOperation{op("replace", "/*/*/throttling/burstLimit", "10.5")},
		wantErr: "Invalid value '10.5' specified for /*/*/throttling/burstLimit. Must be an integer"},
	{name: "methods/rate not number", ops: []PatchOperation{op("replace", "/*/*/throttling/rateLimit", "fast")},
		wantErr: "Invalid value 'fast' specified for /*/*/throttling/rateLimit. Must be a number"},
	{name: "methods/rate NaN", ops: []PatchOperation{op("replace", "/*/*/throttling/rateLimit", "NaN")},
		wantErr: "Invalid value 'NaN' specified for /*/*/throttling/rateLimit. Must be a number"},
	{name: "methods/rate infinite", ops: []PatchOperation{op("replace", "/*/*/throttling/rateLimit", "-Inf")},
		wantErr: "Invalid value '-Inf' specified for /*/*/throttling/rateLimit. Must be a number"},
	{name: "methods/rate hexadecimal", ops: []PatchOperation{op("replace", "/*/*/throttling/rateLimit", "0x10")},
		wantErr: "Invalid value '0x10' specified for /*/*/throttling/rateLimit. Must be a number"},

	{name: "methods/caching", ops: []PatchOperation{
		op("replace", "/*/*/caching/enabled", "true"),
		op("replace", "/*/*/caching/ttlInSeconds", "3600"),
		op("replace", "/*/*/caching/dataEncrypted", "true"),
		op("replace", "/*/*/caching/requireAuthorizationForCacheControl", "false"),
		op("replace", "/*/*/caching/unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403"),
	}, check: func(t *testing.T, st *Stage) {
		ms := st.MethodSettings["*/*"]
		eq(t, [3]bool{ms.CachingEnabled, ms.CacheDataEncrypted, ms.RequireAuthorizationForCacheControl}, [3]bool{true, true, false})
		eq(t, ms.CacheTTLInSeconds, 3600)
		eq(t, ms.UnauthorizedCacheControlHeaderStrategy, "FAIL_WITH_403")
	}},
	{name: "methods/ttl zero", ops: []PatchOperation{op("replace", "/*/*/caching/ttlInSeconds", "0")},
		check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings["*/*"].CacheTTLInSeconds, 0) }},
	{name: "methods/ttl too long", ops: []PatchOperation{op("replace", "/*/*/caching/ttlInSeconds", "3601")},
		wantErr: "Invalid value '3601' specified for /*/*/caching/ttlInSeconds. Cache time-to-live must be between 0 and 3600 seconds"},
	{name: "methods/ttl negative", ops: []PatchOperation{op("replace", "/*/*/caching/ttlInSeconds", "-1")},
		wantErr: "Invalid value '-1' specified for /*/*/caching/ttlInSeconds. Cache time-to-live must be between 0 and 3600 seconds"},
	{name: "methods/ttl not integer", ops: []PatchOperation{op("replace", "/*/*/caching/ttlInSeconds", "5m")},
		wantErr: "Invalid value '5m' specified for /*/*/caching/ttlInSeconds. Must be an integer"},
	{name: "methods/strategy unknown", ops: []PatchOperation{op("replace", "/*/*/caching/unauthorizedCacheControlHeaderStrategy", "IGNORE")},
		wantErr: "Invalid value 'IGNORE' specified for /*/*/caching/unauthorizedCacheControlHeaderStrategy. Must be one of: [FAIL_WITH_403, SUCCEED_WITH_RESPONSE_HEADER, SUCCEED_WITHOUT_RESPONSE_HEADER]"},
	{name: "methods/requireAuthorization not boolean", ops: []PatchOperation{op("replace", "/*/*/caching/requireAuthorizationForCacheControl", "maybe")},
		wantErr: "Invalid value 'maybe' specified for /*/*/caching/requireAuthorizationForCacheControl. Must be true or false"},
	{name: "methods/dataEncrypted not boolean", ops: []PatchOperation{op("replace", "/*/*/caching/dataEncrypted", "2")},
		wantErr: "Invalid value '2' specified for /*/*/caching/dataEncrypted. Must be true or false"},
	{name: "methods/caching enabled not boolean", ops: []PatchOperation{op("replace", "/*/*/caching/enabled", "t")},
		wantErr: "Invalid value 't' specified for /*/*/caching/enabled. Must be true or false"},

	{name: "methods/remove wildcard entry", stage: func() *Stage { return withWildcard(testStage()) },
		ops:   []PatchOperation{op("remove", "/*/*", "")},
		check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings, map[string]MethodSetting{}) }},
	{name: "methods/remove missing wildcard", ops: []PatchOperation{op("remove", "/*/*", "")},
		wantErr: cannotRemoveMsg("*/*")},
	{name: "methods/remove method entry", stage: func() *Stage {
		st := withWildcard(testStage())
		st.MethodSettings["~1pets~1{id}/GET"] = MethodSetting{CachingEnabled: true}
		return st
	},
		ops:   []PatchOperation{op("remove", "/~1pets~1{id}/GET", "")},
		check: func(t *testing.T, st *Stage) { eq(t, len(st.MethodSettings), 1) }},
	{name: "methods/remove missing method entry", ops: []PatchOperation{op("remove", "/~1pets/GET", "")},
		wantErr: cannotRemoveMsg("~1pets/GET")},
	{name: "methods/remove unescaped entry", stage: func() *Stage {
		st := testStage()
		st.MethodSettings["pets/GET"] = MethodSetting{CachingEnabled: true}
		return st
	},
		ops:   []PatchOperation{op("remove", "/pets/GET", "")},
		check: func(t *testing.T, st *Stage) { eq(t, len(st.MethodSettings), 0) }},
	{name: "methods/remove names the key as stored", stage: func() *Stage {
		st := testStage()
		st.MethodSettings["pets/GET"] = MethodSetting{CachingEnabled: true}
		return st
	},
		ops: []PatchOperation{op("remove", "/~1pets/GET", "")}, wantErr: cannotRemoveMsg("~1pets/GET")},
	{name: "methods/remove one field", stage: func() *Stage { return withWildcard(testStage()) }, src: srcSteadybit + "; " + srcCdkd971,
		ops:     []PatchOperation{op("remove", "/*/*/throttling/rateLimit", "")},
		wantErr: cannotRemoveMsg("*/*/throttling/rateLimit")},
	{name: "methods/remove unknown path", ops: []PatchOperation{op("remove", "/stageName", "")},
		wantErr: invalidPathMsg("/stageName")},
	{name: "methods/move", ops: []PatchOperation{op("move", "/*/*/metrics/enabled", "true")},
		wantErr: "Invalid move operation with path: /*/*/metrics/enabled"},
	{name: "methods/add is replace", ops: []PatchOperation{op("add", "/*/*/metrics/enabled", "true")},
		check: func(t *testing.T, st *Stage) { eq(t, st.MethodSettings["*/*"].MetricsEnabled, true) }},

	// §2.3 canary
	{name: "canary/created by patch with defaults", ops: []PatchOperation{op("replace", "/canarySettings/percentTraffic", "12.5")},
		check: func(t *testing.T, st *Stage) {
			eq(t, *st.CanarySettings, CanarySettings{PercentTraffic: 12.5, DeploymentID: "dep1"})
		}},
	{name: "canary/all fields", ops: []PatchOperation{
		op("replace", "/canarySettings/deploymentId", "dep2"),
		op("replace", "/canarySettings/useStageCache", "true"),
		op("replace", "/canarySettings/stageVariableOverrides/backend", "canary.internal"),
		op("replace", "/canarySettings/percentTraffic", "100"),
	}, check: func(t *testing.T, st *Stage) {
		eq(t, *st.CanarySettings, CanarySettings{PercentTraffic: 100, DeploymentID: "dep2", UseStageCache: true,
			StageVariableOverrides: map[string]string{"backend": "canary.internal"}})
	}},
	{name: "canary/remove override", stage: func() *Stage { return withCanary(testStage()) },
		ops: []PatchOperation{op("remove", "/canarySettings/stageVariableOverrides/backend", ""),
			op("remove", "/canarySettings/stageVariableOverrides/unknown", "")},
		check: func(t *testing.T, st *Stage) {
			eq(t, st.CanarySettings.StageVariableOverrides, map[string]string{"extra": "x"})
		}},
	{name: "canary/remove", stage: func() *Stage { return withCanary(testStage()) },
		ops:   []PatchOperation{op("remove", "/canarySettings", "")},
		check: func(t *testing.T, st *Stage) { eq(t, st.CanarySettings == nil, true) }},
	{name: "canary/percent too high", ops: []PatchOperation{op("replace", "/canarySettings/percentTraffic", "100.1")},
		wantErr: "Canary percentTraffic must be a number between 0.0 and 100.0"},
	{name: "canary/percent negative", ops: []PatchOperation{op("replace", "/canarySettings/percentTraffic", "-1")},
		wantErr: "Canary percentTraffic must be a number between 0.0 and 100.0"},
	{name: "canary/percent not number", ops: []PatchOperation{op("replace", "/canarySettings/percentTraffic", "ten")},
		wantErr: "Invalid value 'ten' specified for /canarySettings/percentTraffic. Must be a number"},
	{name: "canary/unknown deployment", ops: []PatchOperation{op("replace", "/canarySettings/deploymentId", "nope")},
		wantErr: "Deployment id does not exist"},
	{name: "canary/useStageCache not boolean", ops: []PatchOperation{op("replace", "/canarySettings/useStageCache", "no")},
		wantErr: "Invalid value 'no' specified for /canarySettings/useStageCache. Must be true or false"},
	{name: "canary/override bad name", ops: []PatchOperation{op("replace", "/canarySettings/stageVariableOverrides/a-b", "x")},
		wantErr: "Invalid stage variable name: a-b.  Please use names with only word characters."},
	{name: "canary/override bad value", ops: []PatchOperation{op("replace", "/canarySettings/stageVariableOverrides/a", "<b>")},
		wantErr: "Invalid stage variable value: <b>" + variableValueRule},
	{name: "canary/add", ops: []PatchOperation{op("add", "/canarySettings/percentTraffic", "1")},
		wantErr: "Invalid add operation with path: /canarySettings/percentTraffic"},
	{name: "canary/remove field", stage: func() *Stage { return withCanary(testStage()) },
		ops:     []PatchOperation{op("remove", "/canarySettings/useStageCache", "")},
		wantErr: "Invalid remove operation with path: /canarySettings/useStageCache"},
	{name: "canary/add unknown", ops: []PatchOperation{op("add", "/canarySettings/weight", "1")},
		wantErr: "Cannot add method setting canarySettings/weight because there is no method setting for this method "},
	{name: "canary/replace unknown", ops: []PatchOperation{op("replace", "/canarySettings/weight", "1")},
		wantErr: invalidPathMsg("/canarySettings/weight")},
	{name: "canary/replace whole", ops: []PatchOperation{op("replace", "/canarySettings", "x")},
		wantErr: invalidPathMsg("/canarySettings")},
	{name: "canary/replace whole overrides", ops: []PatchOperation{op("replace", "/canarySettings/stageVariableOverrides", "x")},
		wantErr: "Invalid replace operation with path: /canarySettings/stageVariableOverrides"},

	// §2.4 promotion
	{name: "promotion/AWS guide request", stage: func() *Stage { return withCanary(testStage()) }, ops: []PatchOperation{
		op("replace", "/canarySettings/percentTraffic", "0.0"),
		copyOp("/canarySettings/stageVariableOverrides", "/variables"),
		copyOp("/canarySettings/deploymentId", "/deploymentId"),
	}, check: func(t *testing.T, st *Stage) {
		eq(t, st.DeploymentID, "dep2")
		eq(t, st.Variables, map[string]string{"backend": "canary.internal", "extra": "x", "keep": "k"})
		eq(t, *st.CanarySettings, CanarySettings{PercentTraffic: 0, DeploymentID: "dep2",
			StageVariableOverrides: map[string]string{"backend": "canary.internal", "extra": "x"}})
	}},
	{name: "promotion/no canary", ops: []PatchOperation{copyOp("/canarySettings/deploymentId", "/deploymentId")},
		wantErr: "Promotion not available. Canary does not exist."},
	{name: "promotion/wrong path", stage: func() *Stage { return withCanary(testStage()) },
		ops:     []PatchOperation{copyOp("/variables", "/canarySettings/stageVariableOverrides")},
		wantErr: MsgInvalidCopy},
	{name: "promotion/crossed pair", stage: func() *Stage { return withCanary(testStage()) },
		ops:     []PatchOperation{copyOp("/canarySettings/deploymentId", "/variables")},
		wantErr: "Invalid copy operation with path: /canarySettings/stageVariableOverrides and from /variables. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]"},
	{name: "promotion/too many variables", stage: func() *Stage {
		st := withCanary(testStage())
		st.Variables = manyVars(99)
		return st
	},
		ops:     []PatchOperation{copyOp("/canarySettings/stageVariableOverrides", "/variables")},
		wantErr: "Too many stage variables. A stage can have at most 100 stage variables"},
}

func manyVars(n int) map[string]string {
	vars := map[string]string{}
	for i := 0; i < n; i++ {
		vars["v"+itoa(i)] = "x"
	}
	return vars
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func eq[T any](t *testing.T, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func (c stagePatchCase) setup() (*Stage, StagePatchEnv) {
	st := testStage()
	if c.stage != nil {
		st = c.stage()
	}
	env := testEnv()
	if c.env != nil {
		env = c.env()
	}
	return st, env
}

func TestApplyStagePatch(t *testing.T) {
	for _, c := range stagePatchCases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if t.Failed() && c.src != "" {
					t.Logf("the rule comes from %s", c.src)
				}
			}()
			st, env := c.setup()
			err := ApplyStagePatch(st, c.ops, env)
			if c.wantErr != "" {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("err = %v, want BadRequestException %q", err, c.wantErr)
				}
				if e.Kind != KindBadRequest || e.Message != c.wantErr {
					t.Fatalf("err = %s %q\nwant BadRequestException %q", e.Kind, e.Message, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ApplyStagePatch: %v", err)
			}
			c.check(t, st)
		})
	}
}

// A rejected value must not leave a half-made entry or canary behind, even
// though callers discard the stage on error anyway.
func TestApplyStagePatchRejectedValueCreatesNothing(t *testing.T) {
	for _, o := range []PatchOperation{
		op("replace", "/*/*/throttling/burstLimit", "x"),
		op("replace", "/~1pets/GET/logging/loglevel", "LOUD"),
		op("replace", "/canarySettings/percentTraffic", "200"),
		op("replace", "/canarySettings/stageVariableOverrides/a", ""),
		op("replace", "/accessLogSettings/format", "no id"),
		op("replace", "/variables/a", ""),
	} {
		st := testStage()
		if err := ApplyStagePatch(st, []PatchOperation{o}, testEnv()); err == nil {
			t.Fatalf("%s %s: no error", o.Op, o.Path)
		}
		eq(t, st, testStage())
	}
}

func TestApplyStagePatchAppliesInOrder(t *testing.T) {
	st := testStage()
	err := ApplyStagePatch(st, []PatchOperation{
		op("replace", "/variables/a", "1"),
		op("remove", "/variables/a", ""),
		op("replace", "/variables/a", "2"),
		op("replace", "/description", "first"),
		op("replace", "/description", "second"),
	}, testEnv())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, st.Variables, map[string]string{"a": "2"})
	eq(t, st.Description, "second")
}

func TestApplyStagePatchNoOperations(t *testing.T) {
	st := withCanary(withWildcard(testStage()))
	if err := ApplyStagePatch(st, nil, testEnv()); err != nil {
		t.Fatal(err)
	}
	eq(t, st, withCanary(withWildcard(testStage())))
}

func TestNewMethodSettingDefaults(t *testing.T) {
	eq(t, NewMethodSetting(ThrottleSettings{}), MethodSetting{
		ThrottlingBurstLimit: 5000, ThrottlingRateLimit: 10000, CacheTTLInSeconds: 300,
		RequireAuthorizationForCacheControl: true, UnauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
	})
	ms := NewMethodSetting(ThrottleSettings{BurstLimit: 20, RateLimit: 7.5})
	eq(t, [2]float64{float64(ms.ThrottlingBurstLimit), ms.ThrottlingRateLimit}, [2]float64{20, 7.5})
}

func TestRateAboveRaisedAccountLimit(t *testing.T) {
	env := testEnv()
	env.AccountThrottle = ThrottleSettings{BurstLimit: 20000, RateLimit: 12.5}
	st := testStage()
	err := ApplyStagePatch(st, []PatchOperation{op("replace", "/*/*/throttling/burstLimit", "10000")}, env)
	wantBadRequest(t, err, "")
	err = ApplyStagePatch(st, []PatchOperation{op("replace", "/*/*/throttling/rateLimit", "13")}, env)
	wantBadRequest(t, err, "Invalid value '13' specified for /*/*/throttling/rateLimit. The rate limit must not be more than the account-level rate limit of 12.5")
}
