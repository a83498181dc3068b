package backplane_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

const modelsOAS3 = `{"openapi":"3.0.1","info":{"title":"pets"},
 "x-amazon-apigateway-request-validators":{"all":{"validateRequestBody":true,"validateRequestParameters":true}},
 "paths":{"/pets":{"post":{"x-amazon-apigateway-request-validator":"all",
   "requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Pet"}}}},
   "responses":{"200":{"description":"ok"}},
   "x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"}}}}},
 "components":{"schemas":{"Pet":{"type":"object","properties":{"owner":{"$ref":"#/components/schemas/Owner"}},"required":["owner"]},
   "Owner":{"type":"object","properties":{"name":{"type":"string"}}}}}}`

// Models, request models and validators survive export → import, in
// both document versions.
func TestExportModelsRoundTrip(t *testing.T) {
	e := start(t)
	api, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(modelsOAS3)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.CreateDeployment(bg, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"oas30", "swagger"} {
		out, err := e.c.GetExport(bg, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("prod"), ExportType: aws.String(typ),
			Accepts: aws.String("application/json"), Parameters: map[string]string{"extensions": "apigateway"}})
		if err != nil {
			t.Fatal(err)
		}
		body := string(out.Body)
		local := map[string]string{"oas30": "#/components/schemas/Owner", "swagger": "#/definitions/Owner"}[typ]
		if !strings.Contains(body, `"$ref": "`+local+`"`) || strings.Contains(body, "apigateway.amazonaws.com/restapis") {
			t.Errorf("%s export references:\n%s", typ, body)
		}
		again, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: out.Body})
		if err != nil {
			t.Fatalf("%s re-import: %v\n%s", typ, err, body)
		}
		m := e.methods(t, *again.Id)["/pets"]["POST"]
		vs, err := e.c.GetRequestValidators(bg, &apigateway.GetRequestValidatorsInput{RestApiId: again.Id})
		if err != nil || len(vs.Items) != 1 || m.RequestValidatorId == nil || *m.RequestValidatorId != *vs.Items[0].Id ||
			m.RequestModels["application/json"] != "Pet" {
			t.Errorf("%s round trip: method %+v validators %+v %v", typ, m, vs, err)
		}
		pet, err := e.c.GetModel(bg, &apigateway.GetModelInput{RestApiId: again.Id, ModelName: aws.String("Pet")})
		if err != nil || !strings.Contains(*pet.Schema, "/restapis/"+*again.Id+"/models/Owner") {
			t.Errorf("%s round trip Pet: %v %v", typ, pet, err)
		}
	}
}
