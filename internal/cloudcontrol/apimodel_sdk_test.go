package cloudcontrol_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
)

func TestModelAndRequestValidatorTypes(t *testing.T) {
	f := newFixture(t)
	id := f.mustCreate(t, "AWS::ApiGateway::Model", jsonOf(map[string]any{"RestApiId": f.api, "Name": "Pet", "ContentType": "application/json",
		"Description": "a pet", "Schema": map[string]any{"type": "object", "required": []string{"name"}}}))
	if id != f.api+"|Pet" {
		t.Fatalf("identifier %q", id)
	}
	p := f.props(t, "AWS::ApiGateway::Model", id)
	if p["Name"] != "Pet" || p["Description"] != "a pet" || p["Schema"].(map[string]any)["type"] != "object" {
		t.Errorf("model properties %v", p)
	}
	f.mustUpdate(t, "AWS::ApiGateway::Model", id, `[{"op":"replace","path":"/Schema","value":{"type":"object","required":["id"]}},{"op":"replace","path":"/Description","value":"changed"}]`)
	m, err := f.ag.GetModel(ctx, &apigateway.GetModelInput{RestApiId: &f.api, ModelName: aws.String("Pet")})
	if err != nil || *m.Schema != `{"required":["id"],"type":"object"}` || *m.Description != "changed" {
		t.Errorf("after update: %+v %v", m, err)
	}
	// A schema API Gateway refuses fails the request, with its message.
	ev := f.create(t, "AWS::ApiGateway::Model", jsonOf(map[string]any{"RestApiId": f.api, "Name": "Bad", "ContentType": "application/json",
		"Schema": map[string]any{"type": "object", "required": []string{}}}))
	if ev.OperationStatus != types.OperationStatusFailed || !strings.Contains(aws.ToString(ev.StatusMessage), "Invalid model schema specified") {
		t.Errorf("bad schema: %s %s %q", ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
	}

	vid := f.mustCreate(t, "AWS::ApiGateway::RequestValidator", jsonOf(map[string]any{"RestApiId": f.api, "Name": "body", "ValidateRequestBody": true}))
	vp := f.props(t, "AWS::ApiGateway::RequestValidator", vid)
	if vp["ValidateRequestBody"] != true || vp["ValidateRequestParameters"] != false || vp["Name"] != "body" || f.api+"|"+vp["RequestValidatorId"].(string) != vid {
		t.Errorf("validator properties %v", vp)
	}
	f.mustUpdate(t, "AWS::ApiGateway::RequestValidator", vid, `[{"op":"replace","path":"/ValidateRequestParameters","value":true}]`)
	list, err := f.cc.ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String("AWS::ApiGateway::RequestValidator"),
		ResourceModel: aws.String(jsonOf(map[string]string{"RestApiId": f.api}))})
	if err != nil || len(list.ResourceDescriptions) != 1 || !strings.Contains(aws.ToString(list.ResourceDescriptions[0].Properties), `"ValidateRequestParameters":true`) {
		t.Errorf("list: %+v %v", list, err)
	}
	models, err := f.cc.ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String("AWS::ApiGateway::Model"),
		ResourceModel: aws.String(jsonOf(map[string]string{"RestApiId": f.api}))})
	if err != nil || len(models.ResourceDescriptions) != 3 { // Empty, Error, Pet
		t.Errorf("models list: %+v %v", models, err)
	}
	for _, del := range [][2]string{{"AWS::ApiGateway::RequestValidator", vid}, {"AWS::ApiGateway::Model", id}} {
		if ev := f.delete(t, del[0], del[1]); ev.OperationStatus != types.OperationStatusSuccess {
			t.Errorf("delete %s: %s %q", del[1], ev.OperationStatus, aws.ToString(ev.StatusMessage))
		}
	}
}
