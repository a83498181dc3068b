package controlapi_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func TestTags(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	e.deploy(t, apiID, "prod")
	stageARN := "arn:aws:apigateway:us-east-1::/restapis/" + apiID + "/stages/prod"
	apiARN := "arn:aws:apigateway:us-east-1::/restapis/" + apiID

	for _, arn := range []string{stageARN, apiARN} {
		t.Run(arn, func(t *testing.T) {
			got, err := e.api.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: aws.String(arn)})
			if err != nil || len(got.Tags) != 0 {
				t.Fatalf("GetTags before tagging = %v, %v", got, err)
			}
			if _, err := e.api.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: aws.String(arn),
				Tags: map[string]string{"team": "pets", "env": "prod"}}); err != nil {
				t.Fatal(err)
			}
			// Tagging merges: new keys added, existing ones overwritten.
			if _, err := e.api.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: aws.String(arn),
				Tags: map[string]string{"env": "production", "cost": "42"}}); err != nil {
				t.Fatal(err)
			}
			got, err = e.api.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: aws.String(arn)})
			if err != nil || len(got.Tags) != 3 || got.Tags["team"] != "pets" || got.Tags["env"] != "production" || got.Tags["cost"] != "42" {
				t.Fatalf("GetTags = %v, %v", got.Tags, err)
			}
			// Untagging a key that is not set is ignored.
			if _, err := e.api.UntagResource(ctx, &apigateway.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env", "cost", "absent"}}); err != nil {
				t.Fatal(err)
			}
			got, _ = e.api.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: aws.String(arn)})
			if len(got.Tags) != 1 || got.Tags["team"] != "pets" {
				t.Errorf("GetTags after untag = %v", got.Tags)
			}
		})
	}

	// Stage and RestApi objects echo their tags.
	st, _ := e.api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
	if st.Tags["team"] != "pets" {
		t.Errorf("stage tags = %v", st.Tags)
	}

	// Wire shape: 204 without body for tag/untag, {"tags":{}} when empty.
	esc := "/tags/" + url.PathEscape(stageARN)
	status, _, body := e.raw(t, "DELETE", esc+"?tagKeys=team", "")
	if status != 204 || len(body) != 0 {
		t.Errorf("UntagResource = %d %s", status, body)
	}
	status, _, body = e.raw(t, "GET", esc, "")
	if status != 200 || string(body) != `{"tags":{}}` {
		t.Errorf("GetTags = %d %s", status, body)
	}
	status, _, body = e.raw(t, "PUT", esc, `{"tags":{"a":"b"}}`)
	if status != 204 || len(body) != 0 {
		t.Errorf("TagResource = %d %s", status, body)
	}
}

func TestTagsReject(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	e.deploy(t, apiID, "prod")
	stageARN := apigw.StageARN("us-east-1", apiID, "prod")
	fifty := map[string]string{}
	for i := range 50 {
		fifty[fmt.Sprintf("k%d", i)] = "v"
	}
	if _, err := e.api.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: aws.String(stageARN), Tags: fifty}); err != nil {
		t.Fatalf("50 tags: %v", err)
	}

	tests := []struct {
		name string
		arn  string
		tags map[string]string
		want awsErr
	}{
		{"unknown stage", apigw.StageARN("us-east-1", apiID, "nope"), map[string]string{"a": "b"}, notFound("Invalid Stage identifier specified")},
		{"unknown API", apigw.RestAPIARN("us-east-1", "nope123456"), map[string]string{"a": "b"}, apiNotFound("nope123456")},
		{"not an API Gateway ARN", "arn:aws:lambda:us-east-1:000000000000:function:f", map[string]string{"a": "b"},
			badRequest("Invalid ARN specified in the request: arn:aws:lambda:us-east-1:000000000000:function:f")},
		{"51st tag", stageARN, map[string]string{"one-more": "v"}, badRequest("Too many tags: a resource can have at most 50 tags")},
		{"aws: prefix", stageARN, map[string]string{"aws:x": "v"}, badRequest("Invalid tag key 'aws:x': tag keys must not start with 'aws:'")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.api.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: aws.String(tt.arn), Tags: tt.tags})
			checkAWSErr(t, err, tt.want)
		})
	}
	_, err := e.api.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: aws.String(apigw.StageARN("us-east-1", apiID, "nope"))})
	checkAWSErr(t, err, notFound("Invalid Stage identifier specified"))
	_, err = e.api.UntagResource(ctx, &apigateway.UntagResourceInput{ResourceArn: aws.String(apigw.StageARN("us-east-1", apiID, "nope")), TagKeys: []string{"a"}})
	checkAWSErr(t, err, notFound("Invalid Stage identifier specified"))

	got, _ := e.api.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: aws.String(stageARN)})
	if len(got.Tags) != 50 {
		t.Errorf("%d tags after rejected calls, want 50", len(got.Tags))
	}

	esc := "/tags/" + url.PathEscape(stageARN)
	for _, c := range []struct{ method, path, body, want string }{
		{"DELETE", esc, "", `{"message":"tagKeys must be specified"}`},
		{"PUT", esc, `{}`, `{"message":"tags must be specified"}`},
		{"PUT", esc, `{"tags":{"a":1}}`, `{"message":"Invalid value for field 'tags': expected string"}`},
	} {
		status, _, body := e.raw(t, c.method, c.path, c.body)
		if status != 400 || string(body) != c.want {
			t.Errorf("%s %s %s = %d %s, want 400 %s", c.method, c.path, c.body, status, body, c.want)
		}
	}
}
