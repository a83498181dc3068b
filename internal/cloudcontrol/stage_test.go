package cloudcontrol

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func TestMethodSettingPaths(t *testing.T) {
	tests := []struct {
		resourcePath, verb string
		prefix             string
		key                string // the methodSettings key the backplane stores
	}{
		{"/*", "*", "/*/*", "*/*"},
		{"/~1pets", "GET", "/~1pets/GET", "pets/GET"},
		{"/pets", "GET", "/~1pets/GET", "pets/GET"},
		{"/~1pets~1{id}", "GET", "/~1pets~1{id}/GET", "pets/{id}/GET"},
		{"/pets/{id}", "DELETE", "/~1pets~1{id}/DELETE", "pets/{id}/DELETE"},
		{"/", "GET", "/~1/GET", "/GET"},
	}
	for _, tt := range tests {
		if got := methodSettingPatchPrefix(tt.resourcePath, tt.verb); got != tt.prefix {
			t.Errorf("methodSettingPatchPrefix(%q, %q) = %q, want %q", tt.resourcePath, tt.verb, got, tt.prefix)
		}
		// Reading the stored key back gives the encoded CloudFormation form,
		// which maps to the same patch prefix.
		rp, verb := methodSettingFromKey(tt.key)
		if verb != tt.verb || methodSettingPatchPrefix(rp, verb) != tt.prefix {
			t.Errorf("methodSettingFromKey(%q) = %q %q, want one that patches as %q", tt.key, rp, verb, tt.prefix)
		}
	}
	if rp, verb := methodSettingFromKey("pets/{id}/GET"); rp != "/~1pets~1{id}" || verb != "GET" {
		t.Errorf("methodSettingFromKey = %q %q, want /~1pets~1{id} GET", rp, verb)
	}
}

func decodeStage(t *testing.T, doc string) *stageModel {
	t.Helper()
	m := &stageModel{}
	if err := decodeModel([]byte(doc), m); err != nil {
		t.Fatalf("decode %s: %v", doc, err)
	}
	return m
}

func TestStagePatch(t *testing.T) {
	tests := []struct {
		name       string
		prev, next string
		want       []apigw.PatchOperation
	}{
		{
			name: "seed minimal example on create",
			prev: `{}`,
			next: `{"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","ThrottlingBurstLimit":100,"ThrottlingRateLimit":50}]}`,
			want: []apigw.PatchOperation{
				{Op: "replace", Path: "/*/*/throttling/burstLimit", Value: "100"},
				{Op: "replace", Path: "/*/*/throttling/rateLimit", Value: "50"},
			},
		},
		{
			name: "seed cache example on create",
			prev: `{}`,
			next: `{"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","CachingEnabled":true,"CacheTtlInSeconds":300}]}`,
			want: []apigw.PatchOperation{
				{Op: "replace", Path: "/*/*/caching/enabled", Value: "true"},
				{Op: "replace", Path: "/*/*/caching/ttlInSeconds", Value: "300"},
			},
		},
		{
			name: "access log setting on create",
			prev: `{}`,
			next: `{"AccessLogSetting":{"DestinationArn":"arn:aws:logs:us-east-1:123456789012:log-group:L","Format":"$context.requestId"}}`,
			want: []apigw.PatchOperation{
				{Op: "replace", Path: "/accessLogSettings/destinationArn", Value: "arn:aws:logs:us-east-1:123456789012:log-group:L"},
				{Op: "replace", Path: "/accessLogSettings/format", Value: "$context.requestId"},
			},
		},
		{
			name: "unchanged read model gives no operation",
			prev: `{"RestApiId":"a","StageName":"s","DeploymentId":"d1","CacheClusterEnabled":false,"TracingEnabled":false,"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","CachingEnabled":false,"MetricsEnabled":false,"ThrottlingBurstLimit":100,"ThrottlingRateLimit":50}]}`,
			next: `{"RestApiId":"a","StageName":"s","DeploymentId":"d1","CacheClusterEnabled":false,"TracingEnabled":false,"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","CachingEnabled":false,"MetricsEnabled":false,"ThrottlingBurstLimit":100,"ThrottlingRateLimit":50}]}`,
		},
		{
			name: "scalar changes",
			prev: `{"DeploymentId":"d1","Description":"a","CacheClusterEnabled":false,"CacheClusterSize":"0.5","TracingEnabled":true,"ClientCertificateId":"c1"}`,
			next: `{"DeploymentId":"d2","Description":"b","CacheClusterEnabled":true,"CacheClusterSize":"1.6","TracingEnabled":false,"DocumentationVersion":"v1"}`,
			want: []apigw.PatchOperation{
				{Op: "replace", Path: "/deploymentId", Value: "d2"},
				{Op: "replace", Path: "/description", Value: "b"},
				{Op: "replace", Path: "/cacheClusterEnabled", Value: "true"},
				{Op: "replace", Path: "/cacheClusterSize", Value: "1.6"},
				{Op: "remove", Path: "/clientCertificateId"},
				{Op: "replace", Path: "/documentationVersion", Value: "v1"},
				{Op: "replace", Path: "/tracingEnabled", Value: "false"},
			},
		},
		{
			name: "dropping DeploymentId keeps the deployment",
			prev: `{"DeploymentId":"d1"}`,
			next: `{}`,
		},
		{
			name: "variables",
			prev: `{"Variables":{"a":"1","b":"2"}}`,
			next: `{"Variables":{"b":"3","c":"4"}}`,
			want: []apigw.PatchOperation{
				{Op: "remove", Path: "/variables/a"},
				{Op: "replace", Path: "/variables/b", Value: "3"},
				{Op: "replace", Path: "/variables/c", Value: "4"},
			},
		},
		{
			name: "access log removed",
			prev: `{"AccessLogSetting":{"DestinationArn":"arn","Format":"f"}}`,
			next: `{}`,
			want: []apigw.PatchOperation{{Op: "remove", Path: "/accessLogSettings"}},
		},
		{
			name: "new canary starts with its percentage",
			prev: `{"DeploymentId":"d1"}`,
			next: `{"DeploymentId":"d1","CanarySetting":{"DeploymentId":"d2","PercentTraffic":10,"StageVariableOverrides":{"v":"x"},"UseStageCache":true}}`,
			want: []apigw.PatchOperation{
				{Op: "replace", Path: "/canarySettings/percentTraffic", Value: "10"},
				{Op: "replace", Path: "/canarySettings/deploymentId", Value: "d2"},
				{Op: "replace", Path: "/canarySettings/useStageCache", Value: "true"},
				{Op: "replace", Path: "/canarySettings/stageVariableOverrides/v", Value: "x"},
			},
		},
		{
			name: "canary percentage changed",
			prev: `{"CanarySetting":{"DeploymentId":"d2","PercentTraffic":10,"UseStageCache":false}}`,
			next: `{"CanarySetting":{"DeploymentId":"d2","PercentTraffic":25.5}}`,
			want: []apigw.PatchOperation{{Op: "replace", Path: "/canarySettings/percentTraffic", Value: "25.5"}},
		},
		{
			name: "canary removed",
			prev: `{"CanarySetting":{"DeploymentId":"d2","PercentTraffic":10}}`,
			next: `{}`,
			want: []apigw.PatchOperation{{Op: "remove", Path: "/canarySettings"}},
		},
		{
			name: "method setting changed, matched across ResourcePath encodings",
			prev: `{"MethodSettings":[{"HttpMethod":"GET","ResourcePath":"/~1pets~1{id}","ThrottlingBurstLimit":100,"CachingEnabled":false}]}`,
			next: `{"MethodSettings":[{"HttpMethod":"GET","ResourcePath":"/pets/{id}","ThrottlingBurstLimit":200,"CachingEnabled":false}]}`,
			want: []apigw.PatchOperation{{Op: "replace", Path: "/~1pets~1{id}/GET/throttling/burstLimit", Value: "200"}},
		},
		{
			name: "method setting removed and another added",
			prev: `{"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","MetricsEnabled":true}]}`,
			next: `{"MethodSettings":[{"HttpMethod":"POST","ResourcePath":"/","LoggingLevel":"INFO","DataTraceEnabled":true,"CacheDataEncrypted":true}]}`,
			want: []apigw.PatchOperation{
				{Op: "remove", Path: "/*/*"},
				{Op: "replace", Path: "/~1/POST/logging/loglevel", Value: "INFO"},
				{Op: "replace", Path: "/~1/POST/logging/dataTrace", Value: "true"},
				{Op: "replace", Path: "/~1/POST/caching/dataEncrypted", Value: "true"},
			},
		},
		{
			name: "dropping a field rebuilds the entry",
			prev: `{"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","ThrottlingBurstLimit":100,"ThrottlingRateLimit":50}]}`,
			next: `{"MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*","ThrottlingBurstLimit":100}]}`,
			want: []apigw.PatchOperation{
				{Op: "remove", Path: "/*/*"},
				{Op: "replace", Path: "/*/*/throttling/burstLimit", Value: "100"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stagePatch(decodeStage(t, tt.prev), decodeStage(t, tt.next))
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				g, _ := json.MarshalIndent(got, "", " ")
				t.Fatalf("got %s", g)
			}
		})
	}
}

func TestStageToModel(t *testing.T) {
	st := &apigw.Stage{
		StageName:           "prod",
		DeploymentID:        "d1",
		Description:         "Production",
		CacheClusterEnabled: true,
		CacheClusterSize:    "0.5",
		Variables:           map[string]string{"v": "1"},
		AccessLogSettings:   &apigw.AccessLogSettings{DestinationArn: "arn", Format: "f"},
		CanarySettings:      &apigw.CanarySettings{DeploymentID: "d2", PercentTraffic: 10},
		MethodSettings: map[string]apigw.MethodSetting{
			"*/*":           {ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50},
			"pets/{id}/GET": {CachingEnabled: true, CacheTTLInSeconds: 300, LoggingLevel: "INFO"},
		},
		Tags: map[string]string{"Project": "API Project", "Environment": "production"},
	}
	got := propertiesJSON(stageToModel("a1", st))
	want := `{"RestApiId":"a1","StageName":"prod","DeploymentId":"d1","Description":"Production","CacheClusterEnabled":true,"CacheClusterSize":"0.5","TracingEnabled":false,` +
		`"Variables":{"v":"1"},"AccessLogSetting":{"DestinationArn":"arn","Format":"f"},"CanarySetting":{"DeploymentId":"d2","PercentTraffic":10,"UseStageCache":false},` +
		`"MethodSettings":[{"CacheDataEncrypted":false,"CacheTtlInSeconds":0,"CachingEnabled":false,"DataTraceEnabled":false,"HttpMethod":"*","MetricsEnabled":false,"ResourcePath":"/*","ThrottlingBurstLimit":100,"ThrottlingRateLimit":50},` +
		`{"CacheDataEncrypted":false,"CacheTtlInSeconds":300,"CachingEnabled":true,"DataTraceEnabled":false,"HttpMethod":"GET","LoggingLevel":"INFO","MetricsEnabled":false,"ResourcePath":"/~1pets~1{id}","ThrottlingBurstLimit":0,"ThrottlingRateLimit":0}],` +
		`"Tags":[{"Key":"Environment","Value":"production"},{"Key":"Project","Value":"API Project"}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestCheckDocumentMessages(t *testing.T) {
	st := &stageType{}
	tests := []struct {
		doc, want string
	}{
		{`{"StageName":"s"}`, "Model validation failed (#: required key [RestApiId] not found)"},
		{`{"RestApiId":"a","Bogus":1}`, "Model validation failed (#: extraneous key [Bogus] is not permitted)"},
		{`{"RestApiId":"a","CacheClusterEnabled":"yes"}`, "Model validation failed (#/CacheClusterEnabled: expected type: Boolean, found: String)"},
		{`{"RestApiId":"a","MethodSettings":{"HttpMethod":"*"}}`, "Model validation failed (#/MethodSettings: expected type: JSONArray, found: JSONObject)"},
		{`{"RestApiId":"a","MethodSettings":[{"ThrottlingBurstLimit":"x"}]}`, "Model validation failed (#/MethodSettings/ThrottlingBurstLimit: expected type: Integer, found: String)"},
	}
	for _, tt := range tests {
		var doc map[string]any
		json.Unmarshal([]byte(tt.doc), &doc)
		_, err := checkDocument(st, doc, true)
		if err == nil || err.(*apiError).Message != tt.want || err.(*apiError).Name != "ValidationException" {
			t.Errorf("checkDocument(%s) = %v, want ValidationException %q", tt.doc, err, tt.want)
		}
	}
}
