package controlapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

const petModelSchema = `{"$schema":"http://json-schema.org/draft-04/schema#","title":"Pet","type":"object",
"properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["name"]}`

func (e defEnv) newModel(t *testing.T, apiID, name, schema string) *apigateway.CreateModelOutput {
	t.Helper()
	out, err := e.c.CreateModel(bg, &apigateway.CreateModelInput{RestApiId: &apiID, Name: &name,
		ContentType: aws.String("application/json"), Schema: &schema})
	if err != nil {
		t.Fatalf("CreateModel %s: %v", name, err)
	}
	return out
}

// modelNames lists an API's models by name.
func (e defEnv) modelNames(t *testing.T, apiID string) string {
	t.Helper()
	out, err := e.c.GetModels(bg, &apigateway.GetModelsInput{RestApiId: &apiID})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range out.Items {
		names = append(names, *m.Name)
	}
	return strings.Join(names, ",")
}

func TestDefaultModels(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, _ := e.newAPI(t)
	if got := e.modelNames(t, apiID); got != "Empty,Error" {
		t.Fatalf("new API's models = %s, want Empty,Error", got)
	}
	m, err := e.c.GetModel(bg, &apigateway.GetModelInput{RestApiId: &apiID, ModelName: aws.String("Error")})
	if err != nil {
		t.Fatal(err)
	}
	if len(*m.Id) != 6 || *m.ContentType != "application/json" || *m.Description != "This is a default error schema model" ||
		!strings.Contains(*m.Schema, `"message": {"type": "string"}`) {
		t.Errorf("Error model: %+v", m)
	}
}

func TestModelCRUD(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, _ := e.newAPI(t)
	created := e.newModel(t, apiID, "Pet", petModelSchema)
	if len(*created.Id) != 6 || *created.Name != "Pet" || *created.Schema != petModelSchema || created.Description != nil {
		t.Errorf("CreateModel: %+v", created)
	}
	ref := apigw.ModelURL(apiID, "Pet")
	e.newModel(t, apiID, "Pets", `{"type":"array","items":{"$ref":"`+ref+`"}}`)
	if got := e.modelNames(t, apiID); got != "Empty,Error,Pet,Pets" {
		t.Errorf("models = %s", got)
	}
	up, err := e.c.UpdateModel(bg, &apigateway.UpdateModelInput{RestApiId: &apiID, ModelName: aws.String("Pet"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("A pet")},
		{Op: types.OpReplace, Path: aws.String("/schema"), Value: aws.String(`{"type":"object","required":["id"]}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if *up.Description != "A pet" || *up.Schema != `{"type":"object","required":["id"]}` || *up.Id != *created.Id {
		t.Errorf("UpdateModel: %+v", up)
	}
	tmpl, err := e.c.GetModelTemplate(bg, &apigateway.GetModelTemplateInput{RestApiId: &apiID, ModelName: aws.String("Pets")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "#set($inputRoot = $input.path('$'))\n[\n#foreach($elem in $inputRoot)\n  {}#if($foreach.hasNext),#end\n#end\n]\n"; *tmpl.Value != want {
		t.Errorf("GetModelTemplate = %q, want %q", *tmpl.Value, want)
	}
	// Pets references Pet: Pet cannot go first.
	_, err = e.c.DeleteModel(bg, &apigateway.DeleteModelInput{RestApiId: &apiID, ModelName: aws.String("Pet")})
	defCheck(t, err, defConflict("Cannot delete model 'Pet', is referenced in model: Pets"))
	for _, name := range []string{"Pets", "Pet"} {
		if _, err := e.c.DeleteModel(bg, &apigateway.DeleteModelInput{RestApiId: &apiID, ModelName: aws.String(name)}); err != nil {
			t.Fatalf("DeleteModel %s: %v", name, err)
		}
	}
	_, err = e.c.GetModel(bg, &apigateway.GetModelInput{RestApiId: &apiID, ModelName: aws.String("Pet")})
	defCheck(t, err, defNotFound("Invalid model name specified: Pet"))
}

func TestModelRejects(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	e.newModel(t, apiID, "Pet", petModelSchema)
	e.newMethod(t, apiID, rootID, "GET", nil)
	if _, err := e.c.UpdateMethod(bg, &apigateway.UpdateMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("GET"),
		PatchOperations: []types.PatchOperation{{Op: types.OpAdd, Path: aws.String("/requestModels/application~1json"), Value: aws.String("Pet")}}}); err != nil {
		t.Fatal(err)
	}
	invalid := "Invalid model specified: Validation Result: warnings : [], errors : ["
	create := func(name, ct, schema string) error {
		_, err := e.c.CreateModel(bg, &apigateway.CreateModelInput{RestApiId: aws.String(apiID), Name: &name, ContentType: &ct, Schema: &schema})
		return err
	}
	cases := []struct {
		name string
		call func() error
		want defErr
	}{
		{"create: name taken", func() error { return create("Pet", "application/json", `{}`) }, defConflict("Model name already exists for this REST API")},
		{"create: name with a dash", func() error { return create("my-pet", "application/json", `{}`) }, defBad("Model name must be alphanumeric: my-pet")},
		{"create: no schema", func() error { return create("Cat", "application/json", ``) }, defBad("Model schema must have at least 1 property or array items defined")},
		{"create: schema not JSON", func() error { return create("Cat", "application/json", `{"type":`) }, defBad(invalid + "Invalid model schema specified]")},
		{"create: not draft 4", func() error { return create("Cat", "application/json", `{"type":"object","required":[]}`) }, defBad(invalid + "Invalid model schema specified]")},
		{"create: relative reference", func() error { return create("Cat", "application/json", `{"$ref":"Pet"}`) }, defBad(invalid + "Model reference must be in canonical form]")},
		{"create: missing referenced model", func() error {
			return create("Cat", "application/json", `{"$ref":"`+apigw.ModelURL(apiID, "Dog")+`"}`)
		}, defBad(invalid + "Invalid model name specified: Dog]")},
		{"create: unknown API", func() error {
			_, err := e.c.CreateModel(bg, &apigateway.CreateModelInput{RestApiId: aws.String("nosuchapi0"), Name: aws.String("X"), ContentType: aws.String("application/json"), Schema: aws.String("{}")})
			return err
		}, defNoAPI("nosuchapi0")},
		{"update: add", func() error {
			_, err := e.c.UpdateModel(bg, &apigateway.UpdateModelInput{RestApiId: &apiID, ModelName: aws.String("Pet"),
				PatchOperations: []types.PatchOperation{{Op: types.OpAdd, Path: aws.String("/schema"), Value: aws.String("{}")}}})
			return err
		}, defBad("Invalid patch path  '/schema' specified for op 'add'. Please choose supported operations")},
		{"update: path", func() error {
			_, err := e.c.UpdateModel(bg, &apigateway.UpdateModelInput{RestApiId: &apiID, ModelName: aws.String("Pet"),
				PatchOperations: []types.PatchOperation{
					{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("changed")},
					{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("Cat")}}})
			return err
		}, defBad("Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]")},
		{"update: bad schema", func() error {
			_, err := e.c.UpdateModel(bg, &apigateway.UpdateModelInput{RestApiId: &apiID, ModelName: aws.String("Pet"),
				PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/schema"), Value: aws.String(`{"type":5}`)}}})
			return err
		}, defBad(invalid + "Invalid model schema specified]")},
		{"update: unknown model", func() error {
			_, err := e.c.UpdateModel(bg, &apigateway.UpdateModelInput{RestApiId: &apiID, ModelName: aws.String("Dog")})
			return err
		}, defNotFound("Invalid model name specified: Dog")},
		{"delete: used by a method", func() error {
			_, err := e.c.DeleteModel(bg, &apigateway.DeleteModelInput{RestApiId: &apiID, ModelName: aws.String("Pet")})
			return err
		}, defConflict("Cannot delete model 'Pet', is referenced in method request: /GET")},
		{"template: unknown model", func() error {
			_, err := e.c.GetModelTemplate(bg, &apigateway.GetModelTemplateInput{RestApiId: &apiID, ModelName: aws.String("Dog")})
			return err
		}, defNotFound("Invalid model name specified: Dog")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { defCheck(t, tc.call(), tc.want) })
	}
	if got := e.modelNames(t, apiID); got != "Empty,Error,Pet" {
		t.Errorf("refused calls changed the models: %s", got)
	}
	m, err := e.c.GetModel(bg, &apigateway.GetModelInput{RestApiId: &apiID, ModelName: aws.String("Pet")})
	if err != nil || *m.Schema != petModelSchema || m.Description != nil {
		t.Errorf("refused updates changed Pet: %+v %v", m, err)
	}
}

func TestRequestValidatorCRUD(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	v, err := e.c.CreateRequestValidator(bg, &apigateway.CreateRequestValidatorInput{RestApiId: &apiID, Name: aws.String("body"), ValidateRequestBody: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(*v.Id) != 6 || *v.Name != "body" || !v.ValidateRequestBody || v.ValidateRequestParameters {
		t.Errorf("CreateRequestValidator: %+v", v)
	}
	status, raw := e.rawJSON(t, "GET", "/restapis/"+apiID+"/requestvalidators/"+*v.Id, "")
	if status != 200 || raw["validateRequestParameters"] != false || raw["validateRequestBody"] != true {
		t.Errorf("raw GetRequestValidator: %d %v", status, raw)
	}
	up, err := e.c.UpdateRequestValidator(bg, &apigateway.UpdateRequestValidatorInput{RestApiId: &apiID, RequestValidatorId: v.Id,
		PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/validateRequestParameters"), Value: aws.String("true")},
			{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("all")}}})
	if err != nil {
		t.Fatal(err)
	}
	if *up.Name != "all" || !up.ValidateRequestParameters || !up.ValidateRequestBody {
		t.Errorf("UpdateRequestValidator: %+v", up)
	}
	// A method uses it through PutMethod; UpdateMethod can clear it.
	if _, err := e.c.PutMethod(bg, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("NONE"), RequestValidatorId: v.Id, RequestModels: map[string]string{"application/json": "Empty"}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.DeleteRequestValidator(bg, &apigateway.DeleteRequestValidatorInput{RestApiId: &apiID, RequestValidatorId: v.Id})
	defCheck(t, err, defConflict("Cannot delete request validator '"+*v.Id+"', is referenced in method: /POST"))
	m, err := e.c.UpdateMethod(bg, &apigateway.UpdateMethodInput{RestApiId: &apiID, ResourceId: &rootID, HttpMethod: aws.String("POST"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/requestValidatorId"), Value: aws.String("")}}})
	if err != nil || m.RequestValidatorId != nil {
		t.Fatalf("clearing requestValidatorId: %+v %v", m, err)
	}
	if _, err := e.c.DeleteRequestValidator(bg, &apigateway.DeleteRequestValidatorInput{RestApiId: &apiID, RequestValidatorId: v.Id}); err != nil {
		t.Fatal(err)
	}
	list, err := e.c.GetRequestValidators(bg, &apigateway.GetRequestValidatorsInput{RestApiId: &apiID})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("after delete: %+v %v", list, err)
	}
}

func TestRequestValidatorRejects(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, _ := e.newAPI(t)
	v, err := e.c.CreateRequestValidator(bg, &apigateway.CreateRequestValidatorInput{RestApiId: &apiID, Name: aws.String("params"), ValidateRequestParameters: true})
	if err != nil {
		t.Fatal(err)
	}
	update := func(ops ...types.PatchOperation) func() error {
		return func() error {
			_, err := e.c.UpdateRequestValidator(bg, &apigateway.UpdateRequestValidatorInput{RestApiId: &apiID, RequestValidatorId: v.Id, PatchOperations: ops})
			return err
		}
	}
	body := types.PatchOperation{Op: types.OpReplace, Path: aws.String("/validateRequestBody"), Value: aws.String("true")}
	cases := []struct {
		name string
		call func() error
		want defErr
	}{
		{"blank name", update(body, types.PatchOperation{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String(" ")}), defBad("Request Validator name cannot be blank")},
		{"add", update(types.PatchOperation{Op: types.OpAdd, Path: aws.String("/name"), Value: aws.String("x")}),
			defBad("Invalid patch path  '/name' specified for op 'add'. Please choose supported operations")},
		{"path", update(body, types.PatchOperation{Op: types.OpReplace, Path: aws.String("/id"), Value: aws.String("x")}),
			defBad("Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/name, /validateRequestParameters, /validateRequestBody]")},
		{"not boolean", update(types.PatchOperation{Op: types.OpReplace, Path: aws.String("/validateRequestBody"), Value: aws.String("yes")}),
			defBad("Invalid patch value  'yes' specified for op 'replace'. Must be a boolean")},
		{"unknown validator", func() error {
			_, err := e.c.GetRequestValidator(bg, &apigateway.GetRequestValidatorInput{RestApiId: &apiID, RequestValidatorId: aws.String("nope00")})
			return err
		}, defNotFound("Invalid Request Validator identifier specified")},
		{"unknown API", func() error {
			_, err := e.c.CreateRequestValidator(bg, &apigateway.CreateRequestValidatorInput{RestApiId: aws.String("nosuchapi0")})
			return err
		}, defNoAPI("nosuchapi0")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { defCheck(t, tc.call(), tc.want) })
	}
	got, err := e.c.GetRequestValidator(bg, &apigateway.GetRequestValidatorInput{RestApiId: &apiID, RequestValidatorId: v.Id})
	if err != nil || *got.Name != "params" || got.ValidateRequestBody || !got.ValidateRequestParameters {
		t.Errorf("refused updates changed the validator: %+v %v", got, err)
	}
}
