package controlapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

const keyValue = "abcdefghij0123456789ABCDEFGHIJ"

func TestCreateAPIKey(t *testing.T) {
	e := startStageEnv(t, nil)
	gen, err := e.api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("gen")})
	if err != nil {
		t.Fatal(err)
	}
	if len(*gen.Value) != 40 || gen.Enabled || len(*gen.Id) != 10 || gen.CreatedDate == nil || gen.LastUpdatedDate == nil {
		t.Fatalf("generated key %+v", gen)
	}
	given, err := e.api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("given"), Value: aws.String(keyValue),
		Enabled: true, CustomerId: aws.String("cust"), Description: aws.String("d"), Tags: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if *given.Value != keyValue || !given.Enabled || *given.CustomerId != "cust" || given.Tags["team"] != "a" {
		t.Fatalf("given key %+v", given)
	}
	for _, tc := range []struct {
		in   *apigateway.CreateApiKeyInput
		want defErr
	}{
		{&apigateway.CreateApiKeyInput{Value: aws.String(strings.Repeat("x", 19))}, defBad("API Key value should be at least 20 characters")},
		{&apigateway.CreateApiKeyInput{Value: aws.String(strings.Repeat("x", 129))}, defBad("API Key value exceeds maximum size of 128 characters")},
		{&apigateway.CreateApiKeyInput{Name: aws.String("dup"), Value: aws.String(keyValue)}, defConflict("API Key already exists")},
		{&apigateway.CreateApiKeyInput{Value: aws.String(strings.Repeat("y", 20)), Tags: map[string]string{"aws:x": "1"}},
			defBad("Invalid tag key 'aws:x': tag keys must not start with 'aws:'")},
		{&apigateway.CreateApiKeyInput{StageKeys: []types.StageKey{{RestApiId: aws.String("a"), StageName: aws.String("s")}}},
			defBad("API keys cannot be bound to stages directly when usage plans are enabled: add the key to a usage plan of the stage")},
	} {
		_, err := e.api.CreateApiKey(ctx, tc.in)
		defCheck(t, err, tc.want)
	}
	// None of the failures stored a key.
	all, err := e.api.GetApiKeys(ctx, &apigateway.GetApiKeysInput{})
	if err != nil || len(all.Items) != 2 {
		t.Fatalf("keys after failures: %v %v", all, err)
	}
}

func TestGetAPIKeys(t *testing.T) {
	e := startStageEnv(t, nil)
	for i, name := range []string{"alpha-1", "alpha-2", "beta"} {
		in := &apigateway.CreateApiKeyInput{Name: aws.String(name), Enabled: true}
		if i == 2 {
			in.CustomerId = aws.String("c-9")
		}
		if _, err := e.api.CreateApiKey(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	out, err := e.api.GetApiKeys(ctx, &apigateway.GetApiKeysInput{NameQuery: aws.String("alpha")})
	if err != nil || len(out.Items) != 2 || *out.Items[0].Name != "alpha-1" || out.Items[0].Value != nil {
		t.Fatalf("name query: %+v %v", out, err)
	}
	out, err = e.api.GetApiKeys(ctx, &apigateway.GetApiKeysInput{CustomerId: aws.String("c-9"), IncludeValues: aws.Bool(true)})
	if err != nil || len(out.Items) != 1 || *out.Items[0].Name != "beta" || out.Items[0].Value == nil {
		t.Fatalf("customer id with values: %+v %v", out, err)
	}
	out, err = e.api.GetApiKeys(ctx, &apigateway.GetApiKeysInput{Limit: aws.Int32(2)})
	if err != nil || len(out.Items) != 2 || out.Position == nil {
		t.Fatalf("page: %+v %v", out, err)
	}
	// The wire list key is "item", value absent without includeValues.
	status, _, body := e.raw(t, "GET", "/apikeys", "")
	var doc map[string][]map[string]any
	if status != 200 || json.Unmarshal(body, &doc) != nil || len(doc["item"]) != 3 {
		t.Fatalf("raw list %d %s", status, body)
	}
	if _, ok := doc["item"][0]["value"]; ok {
		t.Fatalf("value listed without includeValues: %s", body)
	}
}

func TestGetUpdateDeleteAPIKey(t *testing.T) {
	e := startStageEnv(t, nil)
	k, err := e.api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k"), Value: aws.String(keyValue)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.api.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: k.Id})
	if err != nil || got.Value != nil || *got.Name != "k" {
		t.Fatalf("get without value: %+v %v", got, err)
	}
	got, err = e.api.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: k.Id, IncludeValue: aws.Bool(true)})
	if err != nil || *got.Value != keyValue {
		t.Fatalf("get with value: %+v %v", got, err)
	}
	_, err = e.api.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String("nope")})
	defCheck(t, err, defNotFound("Invalid API Key identifier specified"))

	up, err := e.api.UpdateApiKey(ctx, &apigateway.UpdateApiKeyInput{ApiKey: k.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/enabled"), Value: aws.String("true")},
		{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("renamed")},
		{Op: types.OpReplace, Path: aws.String("/customerId"), Value: aws.String("c1")},
	}})
	if err != nil || !up.Enabled || *up.Name != "renamed" || *up.CustomerId != "c1" {
		t.Fatalf("update: %+v %v", up, err)
	}
	// A failing operation later in the list leaves the key as it was.
	_, err = e.api.UpdateApiKey(ctx, &apigateway.UpdateApiKeyInput{ApiKey: k.Id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("lost")},
		{Op: types.OpReplace, Path: aws.String("/value"), Value: aws.String(strings.Repeat("z", 30))},
	}})
	defCheck(t, err, defBad("Invalid patch path  '/value' specified for op 'replace'. Must be one of: [/name, /description, /enabled, /customerId]"))
	got, _ = e.api.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: k.Id})
	if *got.Name != "renamed" {
		t.Fatalf("failed update changed the key: %+v", got)
	}
	_, err = e.api.UpdateApiKey(ctx, &apigateway.UpdateApiKeyInput{ApiKey: aws.String("nope")})
	defCheck(t, err, defNotFound("Invalid API Key identifier specified"))

	if _, err := e.api.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: k.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = e.api.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: k.Id})
	defCheck(t, err, defNotFound("Invalid API Key identifier specified"))
	// The value is free again.
	if _, err := e.api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Value: aws.String(keyValue)}); err != nil {
		t.Fatalf("value not released: %v", err)
	}
}

func TestImportAPIKeys(t *testing.T) {
	e := startStageEnv(t, nil)
	plan, err := e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	csv := "Name,key,description,Enabled,usageplanIds,ignored\n" +
		"first,apikey1234abcdefghij0123456789,An imported key,TRUE," + *plan.Id + ",x\n" +
		"second,apikey1234abcdefghij0123456780,,false,'" + *plan.Id + "',y\n"
	out, err := e.api.ImportApiKeys(ctx, &apigateway.ImportApiKeysInput{Body: []byte(csv), Format: types.ApiKeysFormatCsv})
	if err != nil || len(out.Ids) != 2 || len(out.Warnings) != 0 {
		t.Fatalf("import: %+v %v", out, err)
	}
	first, _ := e.api.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String(out.Ids[0]), IncludeValue: aws.Bool(true)})
	second, _ := e.api.GetApiKey(ctx, &apigateway.GetApiKeyInput{ApiKey: aws.String(out.Ids[1])})
	if *first.Name != "first" || !first.Enabled || *first.Description != "An imported key" || *first.Value != "apikey1234abcdefghij0123456789" || second.Enabled {
		t.Fatalf("imported %+v %+v", first, second)
	}
	keys, _ := e.api.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: plan.Id})
	if len(keys.Items) != 2 {
		t.Fatalf("plan keys %+v", keys.Items)
	}
	// Importing the same value again overwrites that key.
	out2, err := e.api.ImportApiKeys(ctx, &apigateway.ImportApiKeysInput{Body: []byte("key,name\napikey1234abcdefghij0123456789,renamed\nshort,bad\n"),
		Format: types.ApiKeysFormatCsv})
	if err != nil || len(out2.Ids) != 1 || out2.Ids[0] != out.Ids[0] || len(out2.Warnings) != 1 ||
		out2.Warnings[0] != "Line 3: API Key value should be at least 20 characters" {
		t.Fatalf("re-import: %+v %v", out2, err)
	}
	// failonwarnings refuses the whole file: the good row is not written.
	_, err = e.api.ImportApiKeys(ctx, &apigateway.ImportApiKeysInput{Body: []byte("key,name\nnewkeynewkeynewkey0001,new\nshort,bad\n"),
		Format: types.ApiKeysFormatCsv, FailOnWarnings: true})
	defCheck(t, err, defBad("Line 3: API Key value should be at least 20 characters"))
	all, _ := e.api.GetApiKeys(ctx, &apigateway.GetApiKeysInput{})
	if len(all.Items) != 2 {
		t.Fatalf("failed import wrote keys: %d", len(all.Items))
	}
	_, err = e.api.ImportApiKeys(ctx, &apigateway.ImportApiKeysInput{Body: []byte("name,description\nx,y\n"), Format: types.ApiKeysFormatCsv})
	defCheck(t, err, defBad("Invalid API key file: the header must name the columns Name and Key"))
	status, _, body := e.raw(t, "POST", "/apikeys?mode=import&format=json", "key,name\n")
	if status != 400 || !strings.Contains(string(body), "Invalid format specified: 'json'. Must be one of: [csv]") {
		t.Fatalf("format: %d %s", status, body)
	}
}
