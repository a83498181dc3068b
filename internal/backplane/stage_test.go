package backplane

import (
	"context"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
	"github.com/stagecoach/stagecoach/internal/store"
	"github.com/stagecoach/stagecoach/internal/store/sqlite"
)

// The REST control API's behaviour is tested through the AWS SDK in
// internal/controlapi. These tests cover what only Cloud Control reaches:
// the inputs that are not on the wire (AttachLatestDeployment, Patch,
// StagePatch).

func newTestService(t *testing.T) *Service {
	t.Helper()
	st, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st, "")
}

// putPetsAPI stores an API with a MOCK GET on / and /pets, as A's
// CreateRestApi and PutMethod would leave it.
func putPetsAPI(t *testing.T, svc *Service) string {
	t.Helper()
	mock := func() *apigw.Method {
		return &apigw.Method{HTTPMethod: "GET", AuthorizationType: "NONE",
			MethodIntegration: &apigw.Integration{Type: apigw.IntegrationMock}}
	}
	api := &apigw.RestAPI{ID: apigw.NewID(), Name: "pets", CreatedDate: apigw.Now(), RootResourceID: "root",
		Resources: map[string]*apigw.Resource{
			"root": {ID: "root", Path: "/", ResourceMethods: map[string]*apigw.Method{"GET": mock()}},
			"pets": {ID: "pets", ParentID: "root", PathPart: "pets", Path: "/pets", ResourceMethods: map[string]*apigw.Method{"GET": mock()}},
		}}
	if err := svc.Store.Update(context.Background(), func(tx store.Tx) error { return tx.PutRestAPI(api) }); err != nil {
		t.Fatal(err)
	}
	return api.ID
}

func TestCreateStageAttachLatestDeployment(t *testing.T) {
	ctx := context.Background()
	svc := newTestService(t)
	apiID := putPetsAPI(t, svc)

	// No deployment yet: the stage is created unattached.
	st, err := svc.CreateStage(ctx, apiID, CreateStageInput{StageName: "early", AttachLatestDeployment: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.DeploymentID != "" {
		t.Errorf("deploymentId = %q, want none", st.DeploymentID)
	}

	d1, err := svc.CreateDeployment(ctx, apiID, CreateDeploymentInput{})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := svc.CreateDeployment(ctx, apiID, CreateDeploymentInput{})
	if err != nil {
		t.Fatal(err)
	}
	// Same-second deployments are ordered by id in the store; the newest
	// is the last one listed.
	ds, err := svc.GetDeployments(ctx, apiID)
	if err != nil || len(ds) != 2 {
		t.Fatalf("GetDeployments = %v, %v", ds, err)
	}
	latest := ds[1].ID
	if latest != d1.ID && latest != d2.ID {
		t.Fatalf("unexpected deployment %q", latest)
	}
	st, err = svc.CreateStage(ctx, apiID, CreateStageInput{StageName: "late", AttachLatestDeployment: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.DeploymentID != latest {
		t.Errorf("deploymentId = %q, want the latest %q", st.DeploymentID, latest)
	}

	// Without the flag an empty deploymentId is refused.
	_, err = svc.CreateStage(ctx, apiID, CreateStageInput{StageName: "rest"})
	if apigw.KindOf(err) != apigw.KindBadRequest {
		t.Errorf("CreateStage without deploymentId: %v, want BadRequestException", err)
	}
}

func TestCreateStageAppliesPatch(t *testing.T) {
	ctx := context.Background()
	svc := newTestService(t)
	apiID := putPetsAPI(t, svc)
	d, err := svc.CreateDeployment(ctx, apiID, CreateDeploymentInput{})
	if err != nil {
		t.Fatal(err)
	}

	st, err := svc.CreateStage(ctx, apiID, CreateStageInput{StageName: "prod", DeploymentID: d.ID, Patch: []apigw.PatchOperation{
		{Op: "replace", Path: "/*/*/throttling/rateLimit", Value: "50"},
		{Op: "replace", Path: "/~1pets/GET/caching/enabled", Value: "true"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.MethodSettings["*/*"].ThrottlingRateLimit; got != 50 {
		t.Errorf("*/* rateLimit = %v, want 50", got)
	}
	if !st.MethodSettings["~1pets/GET"].CachingEnabled {
		t.Errorf("pets/GET caching not enabled: %+v", st.MethodSettings)
	}

	// A bad operation refuses the whole creation.
	_, err = svc.CreateStage(ctx, apiID, CreateStageInput{StageName: "bad", DeploymentID: d.ID, Patch: []apigw.PatchOperation{
		{Op: "replace", Path: "/*/*/logging/loglevel", Value: "INFO"}, // no CloudWatch role
	}})
	if err == nil || err.Error() != "BadRequestException: "+apigw.MsgLoggingRoleNeeded {
		t.Errorf("CreateStage with logging and no role: %v", err)
	}
	if _, err := svc.GetStage(ctx, apiID, "bad"); apigw.KindOf(err) != apigw.KindNotFound {
		t.Errorf("stage created despite a failing patch: %v", err)
	}
}

func TestCreateDeploymentAppliesStagePatch(t *testing.T) {
	ctx := context.Background()
	svc := newTestService(t)
	apiID := putPetsAPI(t, svc)

	d, err := svc.CreateDeployment(ctx, apiID, CreateDeploymentInput{StageName: "prod", StagePatch: []apigw.PatchOperation{
		{Op: "replace", Path: "/~1pets/GET/throttling/burstLimit", Value: "7"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := svc.GetStage(ctx, apiID, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if st.DeploymentID != d.ID || st.MethodSettings["~1pets/GET"].ThrottlingBurstLimit != 7 {
		t.Errorf("stage = %+v", st)
	}

	// A failing stage patch rolls back the deployment too.
	before, _ := svc.GetDeployments(ctx, apiID)
	_, err = svc.CreateDeployment(ctx, apiID, CreateDeploymentInput{StageName: "prod", StagePatch: []apigw.PatchOperation{
		{Op: "replace", Path: "/nope", Value: "1"},
	}})
	if apigw.KindOf(err) != apigw.KindBadRequest {
		t.Fatalf("bad StagePatch: %v", err)
	}
	after, _ := svc.GetDeployments(ctx, apiID)
	if len(after) != len(before) {
		t.Errorf("deployments %d -> %d after a failed CreateDeployment", len(before), len(after))
	}
	st2, _ := svc.GetStage(ctx, apiID, "prod")
	if st2.DeploymentID != d.ID {
		t.Errorf("stage moved to %q after a failed CreateDeployment", st2.DeploymentID)
	}
}

func TestParseTagARN(t *testing.T) {
	tests := []struct {
		arn       string
		api, name string
		ok        bool
	}{
		{"arn:aws:apigateway:us-east-1::/restapis/abc123/stages/prod", "abc123", "prod", true},
		{"arn:aws:apigateway:eu-west-1::/restapis/abc123", "abc123", "", true},
		{"arn:aws-cn:apigateway:cn-north-1::/restapis/abc123/stages/p", "abc123", "p", true},
		{"arn:aws:apigateway:us-east-1::/restapis/abc123/stages/", "", "", false},
		{"arn:aws:apigateway:us-east-1::/restapis/abc123/resources/x", "", "", false},
		{"arn:aws:lambda:us-east-1:000000000000:function:f", "", "", false},
		{"arn:aws:apigateway:us-east-1::/restapis", "", "", false},
		{"not-an-arn", "", "", false},
	}
	for _, tt := range tests {
		got, err := parseTagARN(tt.arn)
		if (err == nil) != tt.ok || got.apiID != tt.api || got.stage != tt.name {
			t.Errorf("parseTagARN(%q) = %+v, %v", tt.arn, got, err)
		}
	}
}
