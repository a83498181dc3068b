package cloudcontrol_test

import (
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/aws/smithy-go"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

var ctx = servertest.Ctx()

const stageType = "AWS::ApiGateway::Stage"

// fixture is a running gateway with an API that has a GET / method with a
// MOCK integration and two deployments.
type fixture struct {
	env          *servertest.Env
	cc           *cloudcontrol.Client
	ag           *apigateway.Client
	api, root    string
	dep1, latest string
	tick         atomic.Int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := servertest.Start(t, nil)
	f := &fixture{env: env, cc: env.CloudControl(), ag: env.APIGateway()}
	// Deployments are ordered by their createdDate, which has whole
	// seconds; the clock moves on a second per deployment so "the most
	// recent deployment" is well defined.
	base := time.Now()
	env.App.Service.Now = func() time.Time { return base.Add(time.Duration(f.tick.Load()) * time.Second) }
	api, err := f.ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets")})
	if err != nil {
		t.Fatalf("CreateRestApi: %v", err)
	}
	f.api, f.root = *api.Id, *api.RootResourceId
	if _, err := f.ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId,
		HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatalf("PutMethod: %v", err)
	}
	if _, err := f.ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId,
		HttpMethod: aws.String("GET"), Type: agtypes.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatalf("PutIntegration: %v", err)
	}
	f.dep1 = f.deploy(t)
	f.latest = f.deploy(t)
	return f
}

func (f *fixture) deploy(t *testing.T) string {
	t.Helper()
	f.tick.Add(1)
	d, err := f.ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(f.api)})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	return *d.Id
}

// setRole sets the account's CloudWatch role, which logging needs.
func (f *fixture) setRole(t *testing.T) {
	t.Helper()
	if _, err := f.ag.UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: []agtypes.PatchOperation{{
		Op: agtypes.OpReplace, Path: aws.String("/cloudwatchRoleArn"), Value: aws.String("arn:aws:iam::123456789012:role/apigw-logs"),
	}}}); err != nil {
		t.Fatalf("UpdateAccount: %v", err)
	}
}

func (f *fixture) create(t *testing.T, typeName, desired string) *types.ProgressEvent {
	t.Helper()
	out, err := f.cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(typeName), DesiredState: aws.String(desired)})
	if err != nil {
		t.Fatalf("CreateResource(%s): %v", desired, err)
	}
	return out.ProgressEvent
}

func (f *fixture) mustCreate(t *testing.T, typeName, desired string) string {
	t.Helper()
	ev := f.create(t, typeName, desired)
	if ev.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("CreateResource(%s): %s %s: %s", desired, ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
	}
	return aws.ToString(ev.Identifier)
}

func (f *fixture) update(t *testing.T, typeName, id, patch string) (*types.ProgressEvent, error) {
	t.Helper()
	out, err := f.cc.UpdateResource(ctx, &cloudcontrol.UpdateResourceInput{TypeName: aws.String(typeName),
		Identifier: aws.String(id), PatchDocument: aws.String(patch)})
	if err != nil {
		return nil, err
	}
	return out.ProgressEvent, nil
}

func (f *fixture) mustUpdate(t *testing.T, typeName, id, patch string) {
	t.Helper()
	ev, err := f.update(t, typeName, id, patch)
	if err != nil {
		t.Fatalf("UpdateResource(%s, %s): %v", id, patch, err)
	}
	if ev.OperationStatus != types.OperationStatusSuccess {
		t.Fatalf("UpdateResource(%s, %s): %s %s: %s", id, patch, ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
	}
}

func (f *fixture) delete(t *testing.T, typeName, id string) *types.ProgressEvent {
	t.Helper()
	out, err := f.cc.DeleteResource(ctx, &cloudcontrol.DeleteResourceInput{TypeName: aws.String(typeName), Identifier: aws.String(id)})
	if err != nil {
		t.Fatalf("DeleteResource(%s): %v", id, err)
	}
	return out.ProgressEvent
}

// props reads a resource through GetResource and decodes its Properties.
func (f *fixture) props(t *testing.T, typeName, id string) map[string]any {
	t.Helper()
	out, err := f.cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String(typeName), Identifier: aws.String(id)})
	if err != nil {
		t.Fatalf("GetResource(%s): %v", id, err)
	}
	if got := aws.ToString(out.ResourceDescription.Identifier); got != id {
		t.Fatalf("GetResource identifier = %q, want %q", got, id)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(out.ResourceDescription.Properties)), &m); err != nil {
		t.Fatalf("Properties is not a JSON object: %v", err)
	}
	return m
}

func (f *fixture) stage(t *testing.T, name string) *apigateway.GetStageOutput {
	t.Helper()
	st, err := f.ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(f.api), StageName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetStage(%s): %v", name, err)
	}
	return st
}

// wantAPIError checks an SDK error's code and message.
func wantAPIError(t *testing.T, err error, code, msgPart string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msgPart) {
		t.Fatalf("err = %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msgPart)
	}
}

// wantFailed checks a FAILED ProgressEvent.
func wantFailed(t *testing.T, ev *types.ProgressEvent, code types.HandlerErrorCode, msg, identifier string) {
	t.Helper()
	if ev.OperationStatus != types.OperationStatusFailed || ev.ErrorCode != code || aws.ToString(ev.StatusMessage) != msg {
		t.Fatalf("event = %s %s %q, want FAILED %s %q", ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage), code, msg)
	}
	if aws.ToString(ev.Identifier) != identifier {
		t.Fatalf("Identifier = %q, want %q", aws.ToString(ev.Identifier), identifier)
	}
	if aws.ToString(ev.RequestToken) == "" {
		t.Fatal("FAILED event has no RequestToken")
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
