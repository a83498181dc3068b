package apigw

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzApplyStagePatch checks that no operation pair panics, that every
// rejection is a BadRequestException, and that every accepted result is a
// stage the API can still serve: it marshals to JSON (no NaN or infinite
// numbers) and keeps the stage's invariants. Seeds are the table cases of
// TestApplyStagePatch. Run: go test -fuzz FuzzApplyStagePatch ./internal/apigw
func FuzzApplyStagePatch(f *testing.F) {
	for _, c := range stagePatchCases {
		first, second := c.ops[0], PatchOperation{}
		if len(c.ops) > 1 {
			second = c.ops[1]
		}
		f.Add(first.Op, first.Path, first.Value, first.From, second.Op, second.Path, second.Value, second.From, c.env == nil)
	}
	f.Fuzz(func(t *testing.T, op1, path1, value1, from1, op2, path2, value2, from2 string, withRole bool) {
		env := testEnv()
		if !withRole {
			env = noRole(env)
		}
		st := withCanary(withWildcard(testStage()))
		ops := []PatchOperation{{Op: op1, Path: path1, Value: value1, From: from1}}
		if op2 != "" {
			ops = append(ops, PatchOperation{Op: op2, Path: path2, Value: value2, From: from2})
		}
		err := ApplyStagePatch(st, ops, env)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindBadRequest || e.Message == "" {
				t.Fatalf("error is not a BadRequestException: %#v", err)
			}
			return
		}
		if _, err := json.Marshal(st); err != nil {
			t.Fatalf("accepted stage does not marshal: %v", err)
		}
		if err := ValidateVariables(st.Variables); err != nil {
			t.Fatalf("accepted stage has invalid variables: %v", err)
		}
		if err := ValidateCanarySettings(st.CanarySettings); err != nil {
			t.Fatalf("accepted stage has an invalid canary: %v", err)
		}
		if st.CacheClusterSize != "" {
			if err := ValidateCacheClusterSize(st.CacheClusterSize); err != nil {
				t.Fatalf("accepted stage has an invalid cache size: %v", err)
			}
		}
		if st.CacheClusterEnabled != (st.CacheClusterStatus == CacheStatusAvailable) {
			t.Fatalf("cache enabled %v with status %s", st.CacheClusterEnabled, st.CacheClusterStatus)
		}
		if !env.DeploymentExists(st.DeploymentID) {
			t.Fatalf("stage points at unknown deployment %q", st.DeploymentID)
		}
		if c := st.CanarySettings; c != nil && c.DeploymentID != "" && !env.DeploymentExists(c.DeploymentID) {
			t.Fatalf("canary points at unknown deployment %q", c.DeploymentID)
		}
		// The seeded stage has no access log and "*/*" logs at ERROR with no
		// data trace: without a role nothing may turn more logging on.
		if a := st.AccessLogSettings; a != nil && !withRole && !IsFirehoseARN(a.DestinationArn) {
			t.Fatalf("access logging to CloudWatch enabled without a role: %+v", a)
		}
		for key, ms := range st.MethodSettings {
			if ms.CacheTTLInSeconds < 0 || ms.CacheTTLInSeconds > MaxCacheTTLSeconds {
				t.Fatalf("%s: ttl %d", key, ms.CacheTTLInSeconds)
			}
			if ms.ThrottlingBurstLimit < UnthrottledLimit || ms.ThrottlingBurstLimit > DefaultAccountBurstLimit ||
				ms.ThrottlingRateLimit < UnthrottledLimit || ms.ThrottlingRateLimit > DefaultAccountRateLimit {
				t.Fatalf("%s: throttle %d/%v outside -1..account", key, ms.ThrottlingBurstLimit, ms.ThrottlingRateLimit)
			}
			if !stageContains(LoggingLevels, ms.LoggingLevel) {
				t.Fatalf("%s: logging level %q", key, ms.LoggingLevel)
			}
			if !withRole && (ms.DataTraceEnabled || ms.LoggingLevel == "INFO") {
				t.Fatalf("%s: logging enabled without a role: %+v", key, ms)
			}
		}
	})
}
