package controlapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// OpenAPI import of models (Swagger 2 definitions, OpenAPI 3
// components.schemas), request validators and the methods using them.
func TestImportModelsAndValidators(t *testing.T) {
	docs := map[string]string{
		"swagger 2": `{"swagger":"2.0","info":{"title":"pets"},
 "x-amazon-apigateway-request-validators":{"all":{"validateRequestBody":true,"validateRequestParameters":true},"params":{"validateRequestParameters":true}},
 "x-amazon-apigateway-request-validator":"params",
 "paths":{"/pets":{"post":{"x-amazon-apigateway-request-validator":"all",
   "parameters":[{"in":"body","name":"pet","schema":{"$ref":"#/definitions/Pet"}}],
   "responses":{"200":{"description":"ok"}},
   "x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"}}},
  "get":{"responses":{"200":{"description":"ok"}},"x-amazon-apigateway-integration":{"type":"mock"}}}},
 "definitions":{"Pet":{"type":"object","properties":{"owner":{"$ref":"#/definitions/Owner"}},"required":["owner"]},
   "Owner":{"type":"object","properties":{"name":{"type":"string"}}}}}`,
		"openapi 3": `{"openapi":"3.0.1","info":{"title":"pets"},
 "x-amazon-apigateway-request-validators":{"all":{"validateRequestBody":true,"validateRequestParameters":true},"params":{"validateRequestParameters":true}},
 "x-amazon-apigateway-request-validator":"params",
 "paths":{"/pets":{"post":{"x-amazon-apigateway-request-validator":"all",
   "requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Pet"}}}},
   "responses":{"200":{"description":"ok"}},
   "x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"}}},
  "get":{"responses":{"200":{"description":"ok"}},"x-amazon-apigateway-integration":{"type":"mock"}}}},
 "components":{"schemas":{"Pet":{"type":"object","properties":{"owner":{"$ref":"#/components/schemas/Owner"}},"required":["owner"]},
   "Owner":{"type":"object","properties":{"name":{"type":"string"}}}}}}`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			e := startDefEnv(t, nil)
			api, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(doc)})
			if err != nil {
				t.Fatal(err)
			}
			if got := e.modelNames(t, *api.Id); got != "Owner,Pet" {
				t.Errorf("models %s (an imported API has no default models)", got)
			}
			pet, err := e.c.GetModel(bg, &apigateway.GetModelInput{RestApiId: api.Id, ModelName: aws.String("Pet")})
			if err != nil || !strings.Contains(*pet.Schema, `"$ref":"`+apigw.ModelURL(*api.Id, "Owner")+`"`) {
				t.Errorf("Pet schema %v %v", pet, err)
			}
			vs, err := e.c.GetRequestValidators(bg, &apigateway.GetRequestValidatorsInput{RestApiId: api.Id})
			if err != nil || len(vs.Items) != 2 || *vs.Items[0].Name != "all" || !vs.Items[0].ValidateRequestBody {
				t.Fatalf("validators %+v %v", vs, err)
			}
			paths := e.defPaths(t, *api.Id)
			post, err := e.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: api.Id, ResourceId: aws.String(paths["/pets"]), HttpMethod: aws.String("POST")})
			if err != nil || *post.RequestValidatorId != *vs.Items[0].Id || post.RequestModels["application/json"] != "Pet" {
				t.Errorf("POST /pets %+v %v", post, err)
			}
			get, err := e.c.GetMethod(bg, &apigateway.GetMethodInput{RestApiId: api.Id, ResourceId: aws.String(paths["/pets"]), HttpMethod: aws.String("GET")})
			if err != nil || *get.RequestValidatorId != *vs.Items[1].Id {
				t.Errorf("GET /pets takes the document's default validator: %+v %v", get, err)
			}
		})
	}
	e := startDefEnv(t, nil)
	_, err := e.c.ImportRestApi(bg, &apigateway.ImportRestApiInput{Body: []byte(`{"swagger":"2.0","info":{"title":"bad"},"paths":{},
		"definitions":{"Pet":{"type":"object","required":[]}}}`)})
	defCheck(t, err, defBad("Errors found during import:\n\tUnable to create model for 'Pet': Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"))
}
