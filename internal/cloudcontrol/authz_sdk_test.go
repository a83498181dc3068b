package cloudcontrol_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
)

// AWS::ApiGateway::Authorizer and GatewayResponse through Cloud Control:
// create, read, update (one transaction per patch), list and delete,
// observed with the API Gateway SDK client.
func TestAuthorizerAndGatewayResponseTypes(t *testing.T) {
	f := newFixture(t)
	const authType, grType = "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::GatewayResponse"
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"
	id := f.mustCreate(t, authType, `{"RestApiId":"`+f.api+`","Name":"tok","Type":"TOKEN","AuthorizerUri":"`+uri+`",
		"IdentitySource":"method.request.header.Authorization","AuthorizerResultTtlInSeconds":60}`)
	p := f.props(t, authType, id)
	if p["Name"] != "tok" || p["AuthorizerResultTtlInSeconds"] != float64(60) || p["AuthorizerId"] == "" || id != f.api+"|"+p["AuthorizerId"].(string) {
		t.Errorf("authorizer properties = %v (id %s)", p, id)
	}
	f.mustUpdate(t, authType, id, `[{"op":"replace","path":"/AuthorizerResultTtlInSeconds","value":0},{"op":"replace","path":"/Name","value":"token"}]`)
	a, err := f.ag.GetAuthorizer(ctx, &apigateway.GetAuthorizerInput{RestApiId: aws.String(f.api), AuthorizerId: aws.String(p["AuthorizerId"].(string))})
	if err != nil || aws.ToString(a.Name) != "token" || aws.ToInt32(a.AuthorizerResultTtlInSeconds) != 0 {
		t.Errorf("after the update: %+v %v", a, err)
	}
	ev := f.create(t, authType, `{"RestApiId":"`+f.api+`","Name":"bad","Type":"TOKEN","AuthorizerUri":"`+uri+`","IdentitySource":"method.request.querystring.x"}`)
	if ev.OperationStatus != types.OperationStatusFailed || ev.ErrorCode != types.HandlerErrorCodeInvalidRequest {
		t.Errorf("invalid authorizer: %s %s %s", ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
	}

	gid := f.mustCreate(t, grType, `{"RestApiId":"`+f.api+`","ResponseType":"THROTTLED","StatusCode":"503",
		"ResponseParameters":{"gatewayresponse.header.Retry-After":"'60'"},"ResponseTemplates":{"application/json":"{\"m\":$context.error.messageString}"}}`)
	if gid != f.api+":THROTTLED" {
		t.Errorf("gateway response id = %q", gid)
	}
	f.mustUpdate(t, grType, gid, `[{"op":"replace","path":"/StatusCode","value":"599"}]`)
	gr, err := f.ag.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: aws.String(f.api), ResponseType: agtypes.GatewayResponseTypeThrottled})
	if err != nil || aws.ToString(gr.StatusCode) != "599" || gr.DefaultResponse || gr.ResponseParameters["gatewayresponse.header.Retry-After"] != "'60'" {
		t.Errorf("after the update: %+v %v", gr, err)
	}
	list, err := f.cc.ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String(grType), ResourceModel: aws.String(`{"RestApiId":"` + f.api + `"}`)})
	if err != nil || len(list.ResourceDescriptions) != 1 || aws.ToString(list.ResourceDescriptions[0].Identifier) != gid {
		t.Errorf("ListResources = %+v %v", list, err)
	}
	if ev := f.delete(t, grType, gid); ev.OperationStatus != types.OperationStatusSuccess {
		t.Errorf("delete gateway response: %s %s", ev.OperationStatus, aws.ToString(ev.StatusMessage))
	}
	gr, err = f.ag.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: aws.String(f.api), ResponseType: agtypes.GatewayResponseTypeThrottled})
	if err != nil || !gr.DefaultResponse {
		t.Errorf("after the delete: %+v %v", gr, err)
	}
	if ev := f.delete(t, authType, id); ev.OperationStatus != types.OperationStatusSuccess {
		t.Errorf("delete authorizer: %s %s", ev.OperationStatus, aws.ToString(ev.StatusMessage))
	}
}
