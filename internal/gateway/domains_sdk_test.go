package gateway_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/server/servertest"
)

// getHost sends GET url with a Host header, as a caller of a custom
// domain name resolved to this gateway does.
func getHost(t *testing.T, url, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// Base path mappings route a custom domain's requests by the longest
// matching base path to their API stage, with the base path stripped
// before resource matching; a path no mapping covers is 403, and the
// domain's Host never reaches the management plane.
func TestCustomDomainRouting(t *testing.T) {
	s := newSDKAPI(t, nil, "")
	ctx := servertest.Ctx()
	_, err := s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod")})
	s.must(err)
	s.setVersion("v2")
	_, err = s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("next")})
	s.must(err)

	const host = "api.example.com"
	_, err = s.api.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String(host),
		RegionalCertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/abc"),
		EndpointConfiguration:  &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}})
	s.must(err)
	for _, m := range [][2]string{{"v1", "prod"}, {"v2", "next"}, {"orders/v1", "next"}, {"orders", "prod"}} {
		_, err = s.api.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String(host),
			BasePath: aws.String(m[0]), RestApiId: &s.id, Stage: aws.String(m[1])})
		s.must(err)
	}
	// With the port, in upper case: still the domain.
	hosts := []string{host, "API.Example.com:8443"}
	cases := []struct {
		path, want string
		code       int
	}{
		{"/v1/a", `{"v":"v1"}`, 200},
		{"/v2/b", `{"v":"v2"}`, 200},
		{"/orders/v1/c", `{"v":"v2"}`, 200}, // the longer base path wins
		{"/orders/a", `{"v":"v1"}`, 200},
		{"/orders/v1x/a", `{"message":"Missing Authentication Token"}`, 403}, // "v1x" is a resource of orders→prod, not a base path
		{"/v1", `{"message":"Missing Authentication Token"}`, 403},           // root of the stage has no method
		{"/v3/a", `{"message":"Forbidden"}`, 403},
		{"/", `{"message":"Forbidden"}`, 403},
		{"/restapis", `{"message":"Forbidden"}`, 403}, // not the control plane on a domain host
		{"/v1x/a", `{"message":"Forbidden"}`, 403},
	}
	for _, h := range hosts {
		for _, c := range cases {
			code, body := getHost(t, s.env.URL+c.path, h)
			if code != c.code || body != c.want {
				t.Errorf("Host %s GET %s: %d %s, want %d %s", h, c.path, code, body, c.code, c.want)
			}
		}
	}

	// Swapping a mapping's stage changes what the stable URL serves, at once.
	_, err = s.api.UpdateBasePathMapping(ctx, &apigateway.UpdateBasePathMappingInput{DomainName: aws.String(host), BasePath: aws.String("v1"),
		PatchOperations: []types.PatchOperation{replace("/stage", "next")}})
	s.must(err)
	if code, body := getHost(t, s.env.URL+"/v1/a", host); code != 200 || body != `{"v":"v2"}` {
		t.Errorf("after the swap: %d %s", code, body)
	}
	// A deleted mapping stops routing.
	_, err = s.api.DeleteBasePathMapping(ctx, &apigateway.DeleteBasePathMappingInput{DomainName: aws.String(host), BasePath: aws.String("v2")})
	s.must(err)
	if code, body := getHost(t, s.env.URL+"/v2/a", host); code != 403 || body != `{"message":"Forbidden"}` {
		t.Errorf("deleted mapping: %d %s", code, body)
	}
	// Other hosts are untouched: the path form still serves, the control
	// plane still answers.
	if code, body := getHost(t, s.base+"/a", "127.0.0.1"); code != 200 || body != `{"v":"v1"}` {
		t.Errorf("path form: %d %s", code, body)
	}
}

// The empty base path takes the whole domain; a mapping without a stage
// reads the stage from the next path segment.
func TestCustomDomainEmptyBasePathAndStagelessMapping(t *testing.T) {
	s := newSDKAPI(t, nil, "")
	ctx := servertest.Ctx()
	_, err := s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod")})
	s.must(err)
	for _, d := range []string{"root.example.com", "stageless.example.com", "*.wild.example.com"} {
		_, err = s.api.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String(d), CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")})
		s.must(err)
	}
	_, err = s.api.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("root.example.com"), RestApiId: &s.id, Stage: aws.String("prod")})
	s.must(err)
	_, err = s.api.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("*.wild.example.com"), RestApiId: &s.id, Stage: aws.String("prod")})
	s.must(err)
	_, err = s.api.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("stageless.example.com"), BasePath: aws.String("svc"), RestApiId: &s.id})
	s.must(err)
	for _, c := range []struct{ host, path, want string }{
		{"root.example.com", "/a", `{"v":"v1"}`},
		{"root.example.com", "/c/", `{"v":"v1"}`},
		{"stageless.example.com", "/svc/prod/b", `{"v":"v1"}`},
		{"tenant1.wild.example.com", "/a", `{"v":"v1"}`},
	} {
		if code, body := getHost(t, s.env.URL+c.path, c.host); code != 200 || body != c.want {
			t.Errorf("%s%s: %d %s", c.host, c.path, code, body)
		}
	}
	if code, body := getHost(t, s.env.URL+"/svc/nope/b", "stageless.example.com"); code != 403 || body != `{"message":"Forbidden"}` {
		t.Errorf("unknown stage: %d %s", code, body)
	}
}

// disableExecuteApiEndpoint closes the execute-api host and the path form
// (once redeployed, as AWS applies it) while the custom domain serves.
func TestDisableExecuteAPIEndpointLeavesDomains(t *testing.T) {
	s := newSDKAPI(t, nil, "")
	ctx := servertest.Ctx()
	_, err := s.api.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: &s.id,
		PatchOperations: []types.PatchOperation{replace("/disableExecuteApiEndpoint", "true")}})
	s.must(err)
	_, err = s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &s.id, StageName: aws.String("prod")})
	s.must(err)
	_, err = s.api.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("api.example.com"), CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/abc")})
	s.must(err)
	_, err = s.api.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"), BasePath: aws.String("v1"), RestApiId: &s.id, Stage: aws.String("prod")})
	s.must(err)
	forbidden := `{"message":"Forbidden"}`
	if code, body := getHost(t, s.base+"/a", "127.0.0.1"); code != 403 || body != forbidden {
		t.Errorf("path form: %d %s", code, body)
	}
	if code, body := getHost(t, s.env.URL+"/prod/a", strings.ToUpper(s.id)+".execute-api.us-east-1.amazonaws.com"); code != 403 || body != forbidden {
		t.Errorf("execute-api host: %d %s", code, body)
	}
	if code, body := getHost(t, s.env.URL+"/v1/a", "api.example.com"); code != 200 || body != `{"v":"v1"}` {
		t.Errorf("custom domain: %d %s", code, body)
	}
}
