package cloudcontrol_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
)

// TestAPIKeyUsagePlanTypes drives AWS::ApiGateway::ApiKey, UsagePlan and
// UsagePlanKey through Cloud Control and checks the result with the API
// Gateway client: the same backplane operations as the REST API.
func TestAPIKeyUsagePlanTypes(t *testing.T) {
	f := newFixture(t)
	if _, err := f.ag.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: aws.String(f.api), StageName: aws.String("prod"), DeploymentId: aws.String(f.latest)}); err != nil {
		t.Fatal(err)
	}
	keyID := f.mustCreate(t, "AWS::ApiGateway::ApiKey", `{"Name":"cc-key","Enabled":true,"Value":"cloudcontrol-key-0123456789","Tags":[{"Key":"team","Value":"a"}]}`)
	k, err := f.ag.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String(keyID), IncludeValue: aws.Bool(true)})
	if err != nil || *k.Name != "cc-key" || !k.Enabled || *k.Value != "cloudcontrol-key-0123456789" || k.Tags["team"] != "a" {
		t.Fatalf("key %+v %v", k, err)
	}
	// A value AWS refuses fails the request with AWS's text.
	ev := f.create(t, "AWS::ApiGateway::ApiKey", `{"Value":"short"}`)
	wantFailed(t, ev, types.HandlerErrorCodeInvalidRequest, "API Key value should be at least 20 characters", "")

	planID := f.mustCreate(t, "AWS::ApiGateway::UsagePlan", `{"UsagePlanName":"gold","ApiStages":[{"ApiId":"`+f.api+
		`","Stage":"prod","Throttle":{"//GET":{"BurstLimit":5,"RateLimit":2}}}],"Quota":{"Limit":100,"Period":"DAY"},"Throttle":{"BurstLimit":10,"RateLimit":5}}`)
	p, err := f.ag.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: aws.String(planID)})
	if err != nil || *p.Name != "gold" || len(p.ApiStages) != 1 || p.ApiStages[0].Throttle["//GET"].BurstLimit != 5 || p.Quota.Limit != 100 {
		t.Fatalf("plan %+v %v", p, err)
	}
	f.mustUpdate(t, "AWS::ApiGateway::UsagePlan", planID, `[{"op":"replace","path":"/Quota/Limit","value":50},{"op":"remove","path":"/ApiStages/0/Throttle"},{"op":"add","path":"/Description","value":"d"}]`)
	p, _ = f.ag.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: aws.String(planID)})
	if p.Quota.Limit != 50 || len(p.ApiStages[0].Throttle) != 0 || *p.Description != "d" {
		t.Fatalf("updated plan %+v", p)
	}
	props := f.props(t, "AWS::ApiGateway::UsagePlan", planID)
	if props["UsagePlanName"] != "gold" || props["Id"] != planID {
		t.Fatalf("plan properties %v", props)
	}

	pkID := f.mustCreate(t, "AWS::ApiGateway::UsagePlanKey", `{"KeyId":"`+keyID+`","KeyType":"API_KEY","UsagePlanId":"`+planID+`"}`)
	if pkID != keyID+":"+planID {
		t.Fatalf("usage plan key id %q", pkID)
	}
	pk := f.props(t, "AWS::ApiGateway::UsagePlanKey", pkID)
	if pk["KeyId"] != keyID || pk["UsagePlanId"] != planID || pk["KeyType"] != "API_KEY" {
		t.Fatalf("usage plan key properties %v", pk)
	}
	ev = f.create(t, "AWS::ApiGateway::UsagePlanKey", `{"KeyId":"`+keyID+`","KeyType":"API_KEY","UsagePlanId":"`+planID+`"}`)
	if ev.OperationStatus != types.OperationStatusFailed {
		t.Fatalf("duplicate usage plan key: %s", ev.OperationStatus)
	}

	// Deleting in CloudFormation's order: the association, then the plan
	// (with its stages), then the key.
	for _, d := range [][2]string{{"AWS::ApiGateway::UsagePlanKey", pkID}, {"AWS::ApiGateway::UsagePlan", planID}, {"AWS::ApiGateway::ApiKey", keyID}} {
		if ev := f.delete(t, d[0], d[1]); ev.OperationStatus != types.OperationStatusSuccess {
			t.Fatalf("delete %s: %s %s", d[0], ev.ErrorCode, aws.ToString(ev.StatusMessage))
		}
	}
	plans, _ := f.ag.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{})
	keys, _ := f.ag.GetApiKeys(ctx, &apigateway.GetApiKeysInput{})
	if len(plans.Items) != 0 || len(keys.Items) != 0 {
		t.Fatalf("left over: %d plans, %d keys", len(plans.Items), len(keys.Items))
	}
}
