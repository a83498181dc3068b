package controlapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

const certARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc"

func (e stageEnv) regionalDomain(t *testing.T, name string) *apigateway.CreateDomainNameOutput {
	t.Helper()
	out, err := e.api.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String(name),
		RegionalCertificateArn: aws.String(certARN), SecurityPolicy: types.SecurityPolicyTls10,
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypeRegional}}})
	if err != nil {
		t.Fatalf("CreateDomainName: %v", err)
	}
	return out
}

func TestDomainNameOperations(t *testing.T) {
	e := startStageEnv(t, nil)
	d := e.regionalDomain(t, "api.example.com")
	if *d.DomainName != "api.example.com" || d.DomainNameStatus != types.DomainNameStatusAvailable ||
		*d.RegionalCertificateArn != certARN || d.SecurityPolicy != types.SecurityPolicyTls10 ||
		*d.RegionalHostedZoneId != "Z1UJRXOUMOOFQ8" || d.DistributionDomainName != nil ||
		!strings.HasPrefix(*d.RegionalDomainName, "d-") || !strings.HasSuffix(*d.RegionalDomainName, ".execute-api.us-east-1.amazonaws.com") ||
		len(*d.RegionalDomainName) != len("d-xxxxxxxxxx.execute-api.us-east-1.amazonaws.com") {
		t.Fatalf("created: %+v", d)
	}
	edge, err := e.api.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("edge.example.com"), CertificateArn: aws.String(certARN)})
	if err != nil {
		t.Fatal(err)
	}
	if edge.EndpointConfiguration.Types[0] != types.EndpointTypeEdge || *edge.DistributionHostedZoneId != "Z2FDTNDATAQYW2" ||
		!strings.HasSuffix(*edge.DistributionDomainName, ".cloudfront.net") || edge.SecurityPolicy != types.SecurityPolicyTls12 || edge.CertificateUploadDate == nil {
		t.Fatalf("edge: %+v", edge)
	}
	got, err := e.api.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("api.example.com")})
	if err != nil || *got.RegionalDomainName != *d.RegionalDomainName {
		t.Fatalf("GetDomainName: %v %+v", err, got)
	}
	list, err := e.api.GetDomainNames(ctx, &apigateway.GetDomainNamesInput{})
	if err != nil || len(list.Items) != 2 || *list.Items[0].DomainName != "api.example.com" {
		t.Fatalf("GetDomainNames: %v %+v", err, list)
	}
	up, err := e.api.UpdateDomainName(ctx, &apigateway.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/securityPolicy"), Value: aws.String("TLS_1_2")}}})
	if err != nil || up.SecurityPolicy != types.SecurityPolicyTls12 || *up.RegionalDomainName != *d.RegionalDomainName {
		t.Fatalf("UpdateDomainName: %v %+v", err, up)
	}

	// Refusals leave the stored domain as it was.
	before := e.rawJSON(t, "/domainnames/api.example.com")
	for name, c := range map[string]struct {
		call func() error
		want awsErr
	}{
		"duplicate": {func() error {
			_, err := e.api.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("API.example.com"), CertificateArn: aws.String(certARN)})
			return err
		},
			awsErr{"ConflictException", 409, "The domain name you provided already exists."}},
		"bad policy": {func() error {
			_, err := e.api.UpdateDomainName(ctx, &apigateway.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
				PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/securityPolicy"), Value: aws.String("TLS_9")}}})
			return err
		}, badRequest("Invalid security policy: TLS_9")},
		"bad path": {func() error {
			_, err := e.api.UpdateDomainName(ctx, &apigateway.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
				PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/domainName"), Value: aws.String("x.example.com")}}})
			return err
		}, badRequest("Invalid patch path  '/domainName' specified for op 'replace'. Must be one of: [/certificateArn, /certificateName, /regionalCertificateArn, /regionalCertificateName, /securityPolicy, /endpointConfiguration/types/0]")},
		"missing": {func() error {
			_, err := e.api.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("nope.example.com")})
			return err
		},
			notFound("Invalid domain name identifier specified")},
		"delete missing": {func() error {
			_, err := e.api.DeleteDomainName(ctx, &apigateway.DeleteDomainNameInput{DomainName: aws.String("nope.example.com")})
			return err
		},
			notFound("Invalid domain name identifier specified")},
	} {
		t.Run(name, func(t *testing.T) { checkAWSErr(t, c.call(), c.want) })
	}
	if after := e.rawJSON(t, "/domainnames/api.example.com"); after != before {
		t.Errorf("a refused call changed the domain:\n%s\n%s", before, after)
	}
	if _, err := e.api.DeleteDomainName(ctx, &apigateway.DeleteDomainNameInput{DomainName: aws.String("edge.example.com")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.api.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("edge.example.com")})
	checkAWSErr(t, err, notFound("Invalid domain name identifier specified"))
}

func (e stageEnv) rawJSON(t *testing.T, path string) string {
	t.Helper()
	status, _, body := e.raw(t, "GET", path, "")
	if status != 200 {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return string(body)
}

func TestBasePathMappingOperations(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.deployableAPI(t)
	e.deploy(t, apiID, "prod")
	e.deploy(t, apiID, "next")
	e.regionalDomain(t, "api.example.com")
	e.regionalDomain(t, "root.example.com")
	dom := aws.String("api.example.com")
	create := func(domain, basePath, stage string) (*apigateway.CreateBasePathMappingOutput, error) {
		in := &apigateway.CreateBasePathMappingInput{DomainName: aws.String(domain), RestApiId: aws.String(apiID), Stage: aws.String(stage)}
		if basePath != "" {
			in.BasePath = aws.String(basePath)
		}
		return e.api.CreateBasePathMapping(ctx, in)
	}
	m, err := create("api.example.com", "orders/v1", "prod")
	if err != nil || *m.BasePath != "orders/v1" || *m.RestApiId != apiID || *m.Stage != "prod" {
		t.Fatalf("multi-level: %v %+v", err, m)
	}
	if _, err := create("api.example.com", "v2", "next"); err != nil {
		t.Fatal(err)
	}
	root, err := create("root.example.com", "", "prod")
	if err != nil || *root.BasePath != "(none)" {
		t.Fatalf("empty base path: %v %+v", err, root)
	}
	got, err := e.api.GetBasePathMapping(ctx, &apigateway.GetBasePathMappingInput{DomainName: dom, BasePath: aws.String("orders/v1")})
	if err != nil || *got.Stage != "prod" {
		t.Fatalf("GetBasePathMapping multi-level: %v %+v", err, got)
	}
	got, err = e.api.GetBasePathMapping(ctx, &apigateway.GetBasePathMappingInput{DomainName: aws.String("root.example.com"), BasePath: aws.String("(none)")})
	if err != nil || *got.BasePath != "(none)" {
		t.Fatalf("GetBasePathMapping (none): %v %+v", err, got)
	}
	list, err := e.api.GetBasePathMappings(ctx, &apigateway.GetBasePathMappingsInput{DomainName: dom})
	if err != nil || len(list.Items) != 2 || *list.Items[0].BasePath != "orders/v1" || *list.Items[1].BasePath != "v2" {
		t.Fatalf("GetBasePathMappings: %v %+v", err, list)
	}
	up, err := e.api.UpdateBasePathMapping(ctx, &apigateway.UpdateBasePathMappingInput{DomainName: dom, BasePath: aws.String("v2"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/stage"), Value: aws.String("prod")}}})
	if err != nil || *up.Stage != "prod" || *up.BasePath != "v2" {
		t.Fatalf("UpdateBasePathMapping: %v %+v", err, up)
	}

	before := e.rawJSON(t, "/domainnames/api.example.com/basepathmappings")
	beforeRoot := e.rawJSON(t, "/domainnames/root.example.com/basepathmappings")
	conflict := func(msg string) awsErr { return awsErr{"ConflictException", 409, msg} }
	for name, c := range map[string]struct {
		call func() error
		want awsErr
	}{
		"duplicate":      {func() error { _, err := create("api.example.com", "v2", "next"); return err }, conflict("Base path already exists for this domain name")},
		"beside empty":   {func() error { _, err := create("root.example.com", "v1", "prod"); return err }, conflict("Only one base path mapping is allowed if the base path is empty.")},
		"empty beside":   {func() error { _, err := create("api.example.com", "", "prod"); return err }, conflict("Only one base path mapping is allowed if the base path is empty.")},
		"missing stage":  {func() error { _, err := create("api.example.com", "v3", "nope"); return err }, badRequest("Invalid stage identifier specified")},
		"missing domain": {func() error { _, err := create("nope.example.com", "v3", "prod"); return err }, notFound("Invalid domain name identifier specified")},
		"bad base path":  {func() error { _, err := create("api.example.com", "a//b", "prod"); return err }, badRequest("Invalid base path")},
		"missing mapping": {func() error {
			_, err := e.api.GetBasePathMapping(ctx, &apigateway.GetBasePathMappingInput{DomainName: dom, BasePath: aws.String("v9")})
			return err
		}, notFound("Invalid base path mapping identifier specified")},
		"missing api": {func() error {
			_, err := e.api.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: dom, BasePath: aws.String("v3"), RestApiId: aws.String("nope")})
			return err
		}, badRequest("Invalid REST API identifier specified")},
		"update to taken path": {func() error {
			_, err := e.api.UpdateBasePathMapping(ctx, &apigateway.UpdateBasePathMappingInput{DomainName: dom, BasePath: aws.String("v2"),
				PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/basePath"), Value: aws.String("orders/v1")}}})
			return err
		}, conflict("Base path already exists for this domain name")},
		"update to missing stage": {func() error {
			_, err := e.api.UpdateBasePathMapping(ctx, &apigateway.UpdateBasePathMappingInput{DomainName: dom, BasePath: aws.String("v2"),
				PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/stage"), Value: aws.String("gone")}}})
			return err
		}, badRequest("Invalid stage identifier specified")},
		"delete mapped stage": {func() error {
			_, err := e.api.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")})
			return err
		}, badRequest("Deleting stage prod failed. Please remove all base path mappings related to the stage in your domains: api.example.com, root.example.com")},
		"delete mapped api": {func() error {
			_, err := e.api.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: aws.String(apiID)})
			return err
		}, badRequest("Deleting RestApi " + apiID + " failed. Please remove all base path mappings related to the RestApi in your domains: api.example.com, root.example.com")},
	} {
		t.Run(name, func(t *testing.T) { checkAWSErr(t, c.call(), c.want) })
	}
	if after := e.rawJSON(t, "/domainnames/api.example.com/basepathmappings"); after != before {
		t.Errorf("a refused call changed the mappings:\n%s\n%s", before, after)
	}
	if after := e.rawJSON(t, "/domainnames/root.example.com/basepathmappings"); after != beforeRoot {
		t.Errorf("a refused call changed the root mappings:\n%s\n%s", beforeRoot, after)
	}
	// The wire shape: item list, "(none)" for the empty base path.
	var raw struct {
		Item []map[string]string `json:"item"`
	}
	json.Unmarshal([]byte(beforeRoot), &raw)
	if len(raw.Item) != 1 || raw.Item[0]["basePath"] != "(none)" || raw.Item[0]["stage"] != "prod" {
		t.Errorf("raw mappings: %s", beforeRoot)
	}
	// "next" is unmapped now (v2 moved to prod): it can go.
	if _, err := e.api.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: aws.String(apiID), StageName: aws.String("next")}); err != nil {
		t.Fatalf("DeleteStage of an unmapped stage: %v", err)
	}
	if _, err := e.api.DeleteBasePathMapping(ctx, &apigateway.DeleteBasePathMappingInput{DomainName: dom, BasePath: aws.String("orders/v1")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.api.GetBasePathMapping(ctx, &apigateway.GetBasePathMappingInput{DomainName: dom, BasePath: aws.String("orders/v1")})
	checkAWSErr(t, err, notFound("Invalid base path mapping identifier specified"))
}
