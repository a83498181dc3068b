package controlapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func TestGetAccountDefaults(t *testing.T) {
	e := startStageEnv(t, nil)
	status, _, body := e.raw(t, "GET", "/account", "")
	if status != 200 {
		t.Fatalf("GET /account = %d %s", status, body)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	want := `{"apiKeyVersion":"4","features":["UsagePlans"],"throttleSettings":{"burstLimit":5000,"rateLimit":10000}}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Errorf("GET /account = %s\nwant %s", b, want)
	}
}

// TestUnroutedMethods: a verb a path has no operation for gets an
// AWS-shaped NotFoundException, not ServeMux's plain-text 405.
func TestUnroutedMethods(t *testing.T) {
	e := startStageEnv(t, nil)
	for _, c := range []struct{ method, path string }{
		{"POST", "/account"},
		{"PUT", "/restapis/abc/stages"},
		{"POST", "/restapis/abc/stages/prod"},
		{"GET", "/restapis/abc/stages/prod/cache/data"},
		{"PUT", "/restapis/abc/deployments"},
		{"POST", "/restapis/abc/deployments/dep"},
		{"POST", "/tags/arn"},
	} {
		status, h, body := e.raw(t, c.method, c.path, "")
		want := `{"message":"Unsupported operation: ` + c.method + " " + c.path + `"}`
		if status != 404 || !strings.HasPrefix(h.Get("x-amzn-ErrorType"), "NotFoundException") || string(body) != want {
			t.Errorf("%s %s = %d %q %s", c.method, c.path, status, h.Get("x-amzn-ErrorType"), body)
		}
	}
}

func TestUpdateAccount(t *testing.T) {
	e := startStageEnv(t, nil)
	const role = "arn:aws:iam::123456789012:role/service-role/apigw-logs"
	set := func(ops ...types.PatchOperation) (*apigateway.UpdateAccountOutput, error) {
		return e.api.UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: ops})
	}

	out, err := set(patchOp("replace", "/cloudwatchRoleArn", role))
	if err != nil || aws.ToString(out.CloudwatchRoleArn) != role || out.ThrottleSettings.RateLimit != 10000 {
		t.Fatalf("UpdateAccount = %+v, %v", out, err)
	}

	tests := []struct {
		name string
		ops  []types.PatchOperation
		want awsErr
	}{
		{"not a role ARN", []types.PatchOperation{patchOp("replace", "/cloudwatchRoleArn", "arn:aws:iam::123456789012:user/bob")},
			badRequest("The role ARN is not well formed: arn:aws:iam::123456789012:user/bob")},
		{"short account", []types.PatchOperation{patchOp("replace", "/cloudwatchRoleArn", "arn:aws:iam::1234:role/r")},
			badRequest("The role ARN is not well formed: arn:aws:iam::1234:role/r")},
		{"throttle is read-only", []types.PatchOperation{patchOp("replace", "/throttleSettings/rateLimit", "5")},
			badRequest("Invalid patch path /throttleSettings/rateLimit")},
		{"valid then invalid", []types.PatchOperation{patchOp("replace", "/cloudwatchRoleArn", ""), patchOp("replace", "/features", "x")},
			badRequest("Invalid patch path /features")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := set(tt.ops...)
			checkAWSErr(t, err, tt.want)
		})
	}
	got, _ := e.api.GetAccount(ctx, &apigateway.GetAccountInput{})
	if aws.ToString(got.CloudwatchRoleArn) != role {
		t.Errorf("role %q after rejected updates, want %q", aws.ToString(got.CloudwatchRoleArn), role)
	}

	// An empty value clears the role.
	out, err = set(patchOp("replace", "/cloudwatchRoleArn", ""))
	if err != nil || out.CloudwatchRoleArn != nil {
		t.Errorf("clearing the role = %+v, %v", out, err)
	}
}

// TestAccountRoleGatesStageLogging: UpdateStage sees the account's
// CloudWatch role.
func TestAccountRoleGatesStageLogging(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	e.deploy(t, apiID, "prod")
	logging := &apigateway.UpdateStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod"),
		PatchOperations: []types.PatchOperation{patchOp("replace", "/*/*/logging/loglevel", "ERROR")}}

	_, err := e.api.UpdateStage(ctx, logging)
	checkAWSErr(t, err, badRequest(apigw.MsgLoggingRoleNeeded))

	if _, err := e.api.UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: []types.PatchOperation{
		patchOp("replace", "/cloudwatchRoleArn", "arn:aws:iam::123456789012:role/apigw-logs")}}); err != nil {
		t.Fatal(err)
	}
	st, err := e.api.UpdateStage(ctx, logging)
	if err != nil || aws.ToString(st.MethodSettings["*/*"].LoggingLevel) != "ERROR" {
		t.Errorf("UpdateStage with a role = %+v, %v", st, err)
	}
}
