package controlapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// planFixture deploys an API to stages "prod" and "test" and returns its id.
func (e stageEnv) planFixture(t *testing.T) string {
	t.Helper()
	apiID := e.deployableAPI(t)
	dep := e.deploy(t, apiID, "prod")
	if _, err := e.api.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: aws.String(apiID), StageName: aws.String("test"), DeploymentId: aws.String(dep)}); err != nil {
		t.Fatal(err)
	}
	return apiID
}

func op(o types.Op, path, value string) types.PatchOperation {
	p := types.PatchOperation{Op: o, Path: aws.String(path)}
	if value != "" {
		p.Value = aws.String(value)
	}
	return p
}

func TestCreateUsagePlan(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.planFixture(t)
	p, err := e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{
		Name: aws.String("gold"), Description: aws.String("d"),
		ApiStages: []types.ApiStage{{ApiId: aws.String(apiID), Stage: aws.String("prod"),
			Throttle: map[string]types.ThrottleSettings{"/pets/GET": {BurstLimit: 5, RateLimit: 2.5}}}},
		Throttle: &types.ThrottleSettings{BurstLimit: 10, RateLimit: 5},
		Quota:    &types.QuotaSettings{Limit: 100, Period: types.QuotaPeriodTypeDay},
		Tags:     map[string]string{"tier": "gold"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ApiStages) != 1 || p.ApiStages[0].Throttle["/pets/GET"].RateLimit != 2.5 || p.Quota.Limit != 100 ||
		p.Quota.Period != types.QuotaPeriodTypeDay || p.Throttle.BurstLimit != 10 || p.Tags["tier"] != "gold" {
		t.Fatalf("plan %+v", p)
	}
	got, err := e.api.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: p.Id})
	if err != nil || *got.Name != "gold" || len(got.ApiStages) != 1 {
		t.Fatalf("get %+v %v", got, err)
	}
	// A plan without stages has "apiStages": [] on the wire.
	bare, _ := e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("bare")})
	status, _, body := e.raw(t, "GET", "/usageplans/"+*bare.Id, "")
	if status != 200 || !strings.Contains(string(body), `"apiStages":[]`) || strings.Contains(string(body), "quota") {
		t.Fatalf("bare plan %d %s", status, body)
	}
	for _, tc := range []struct {
		in   *apigateway.CreateUsagePlanInput
		want defErr
	}{
		{&apigateway.CreateUsagePlanInput{Name: aws.String(" ")}, defBad("Usage Plan name must be specified")},
		{&apigateway.CreateUsagePlanInput{Name: aws.String("q"), Quota: &types.QuotaSettings{Limit: 1, Period: "YEAR"}},
			defBad("Invalid quota period specified. Must be one of: [DAY, WEEK, MONTH]")},
		{&apigateway.CreateUsagePlanInput{Name: aws.String("q"), Quota: &types.QuotaSettings{Limit: 1, Offset: 2, Period: "DAY"}},
			defBad("Quota offset must be greater than or equal to 0 and not greater than the limit")},
		{&apigateway.CreateUsagePlanInput{Name: aws.String("t"), Throttle: &types.ThrottleSettings{RateLimit: -1}},
			defBad("Throttle rate limit must be greater than or equal to 0")},
		{&apigateway.CreateUsagePlanInput{Name: aws.String("m"), ApiStages: []types.ApiStage{{ApiId: aws.String(apiID), Stage: aws.String("prod"),
			Throttle: map[string]types.ThrottleSettings{"pets": {}}}}},
			defBad("Invalid method throttle key 'pets': it must look like /{resourcePath}/{httpMethod}")},
	} {
		_, err := e.api.CreateUsagePlan(ctx, tc.in)
		defCheck(t, err, tc.want)
	}
	_, err = e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("s"),
		ApiStages: []types.ApiStage{{ApiId: aws.String(apiID), Stage: aws.String("nope")}}})
	defCheckPrefix(t, err, "BadRequestException", 400, "Invalid API Stage {api: "+apiID+", stage: nope} specified for usageplan ")
	all, _ := e.api.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{})
	if len(all.Items) != 2 {
		t.Fatalf("plans after failures: %d", len(all.Items))
	}
	_, err = e.api.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: aws.String("nope")})
	defCheck(t, err, defNotFound("Invalid Usage Plan ID specified"))
}

// defCheckPrefix is defCheck for messages that embed a generated id.
func defCheckPrefix(t *testing.T, err error, code string, status int, prefix string) {
	t.Helper()
	if err == nil {
		t.Fatalf("call succeeded, want %s", code)
	}
	if !strings.Contains(err.Error(), code) || !strings.Contains(err.Error(), prefix) {
		t.Fatalf("got %v, want %s %d %q...", err, code, status, prefix)
	}
}

func TestUpdateUsagePlan(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.planFixture(t)
	p, err := e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p")})
	if err != nil {
		t.Fatal(err)
	}
	up, err := e.api.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: p.Id, PatchOperations: []types.PatchOperation{
		op(types.OpAdd, "/apiStages", apiID+":prod"),
		op(types.OpReplace, "/apiStages/"+apiID+":prod/throttle/~1pets/GET/rateLimit", "3"),
		op(types.OpReplace, "/apiStages/"+apiID+":prod/throttle/~1pets/GET/burstLimit", "6"),
		op(types.OpReplace, "/quota/limit", "50"),
		op(types.OpReplace, "/quota/period", "WEEK"),
		op(types.OpReplace, "/throttle/rateLimit", "10"),
		op(types.OpReplace, "/throttle/burstLimit", "20"),
		op(types.OpReplace, "/name", "renamed"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if *up.Name != "renamed" || len(up.ApiStages) != 1 || up.ApiStages[0].Throttle["/pets/GET"] != (types.ThrottleSettings{BurstLimit: 6, RateLimit: 3}) ||
		up.Quota.Limit != 50 || up.Quota.Period != types.QuotaPeriodTypeWeek || up.Throttle.RateLimit != 10 {
		t.Fatalf("updated %+v", up)
	}
	for _, tc := range []struct {
		ops  []types.PatchOperation
		want defErr
	}{
		{[]types.PatchOperation{op(types.OpAdd, "/apiStages", apiID+":nope")}, defNotFound("API Stage not found: " + apiID + ":nope")},
		{[]types.PatchOperation{op(types.OpAdd, "/apiStages", `{"apiId":"`+apiID+`","stage":"test"}`)},
			defNotFound(`API Stage not found: {"apiId":"` + apiID + `","stage":"test"}`)},
		{[]types.PatchOperation{op(types.OpRemove, "/apiStages", apiID+":test")}, defBad("Invalid API Stage specified")},
		{[]types.PatchOperation{op(types.OpRemove, "/apiStages/"+apiID+":prod", "")}, defBad("Invalid patch path  '/apiStages/" + apiID +
			":prod' specified for op 'remove'. Must be one of: [/apiStages, /quota, /throttle, /productCode, /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>, /apiStages/<apidId:stageName>/throttle]")},
		// The first operation would succeed; the second fails, so neither is kept.
		{[]types.PatchOperation{op(types.OpReplace, "/name", "lost"), op(types.OpReplace, "/quota/period", "YEAR")},
			defBad("Invalid quota period specified. Must be one of: [DAY, WEEK, MONTH]")},
	} {
		_, err := e.api.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: p.Id, PatchOperations: tc.ops})
		defCheck(t, err, tc.want)
	}
	got, _ := e.api.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: p.Id})
	if *got.Name != "renamed" || got.Quota.Period != types.QuotaPeriodTypeWeek || len(got.ApiStages) != 1 {
		t.Fatalf("failed updates changed the plan: %+v", got)
	}
	_, err = e.api.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: aws.String("nope")})
	defCheck(t, err, defNotFound("Invalid Usage Plan ID specified"))
}

func TestDeleteUsagePlanAndStages(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.planFixture(t)
	p, err := e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p"),
		ApiStages: []types.ApiStage{{ApiId: aws.String(apiID), Stage: aws.String("prod")}, {ApiId: aws.String(apiID), Stage: aws.String("test")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.api.DeleteUsagePlan(ctx, &apigateway.DeleteUsagePlanInput{UsagePlanId: p.Id})
	defCheck(t, err, defBad("Cannot delete Usage Plan "+*p.Id+" because there are API Stages associated with it, including "+apiID+":prod"))
	// Deleting a stage unbinds it from the plan.
	if _, err := e.api.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: aws.String(apiID), StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.api.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: p.Id})
	if len(got.ApiStages) != 1 || *got.ApiStages[0].Stage != "test" {
		t.Fatalf("after stage delete: %+v", got.ApiStages)
	}
	// Deleting the API unbinds the rest.
	if _, err := e.api.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: aws.String(apiID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.DeleteUsagePlan(ctx, &apigateway.DeleteUsagePlanInput{UsagePlanId: p.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = e.api.DeleteUsagePlan(ctx, &apigateway.DeleteUsagePlanInput{UsagePlanId: p.Id})
	defCheck(t, err, defNotFound("Invalid Usage Plan ID specified"))
}

func TestUsagePlanKeys(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.planFixture(t)
	stages := func(names ...string) []types.ApiStage {
		var out []types.ApiStage
		for _, n := range names {
			out = append(out, types.ApiStage{ApiId: aws.String(apiID), Stage: aws.String(n)})
		}
		return out
	}
	p1, _ := e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p1"), ApiStages: stages("prod")})
	p2, _ := e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p2"), ApiStages: stages("prod")})
	p3, _ := e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p3"), ApiStages: stages("test")})
	k, _ := e.api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k"), Value: aws.String(keyValue), Enabled: true})

	pk, err := e.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p1.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")})
	if err != nil || *pk.Id != *k.Id || *pk.Type != "API_KEY" || *pk.Value != keyValue || *pk.Name != "k" {
		t.Fatalf("create plan key %+v %v", pk, err)
	}
	_, err = e.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p1.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")})
	defCheck(t, err, defConflict("API Key "+*k.Id+" is already associated with usage plan "+*p1.Id))
	_, err = e.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p2.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")})
	defCheck(t, err, defBad("Usage Plan "+*p2.Id+" cannot be added because API Key "+*k.Id+" cannot reference multiple Usage Plans with the same API Stage: "+apiID+":prod"))
	_, err = e.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p1.Id, KeyId: aws.String("nope"), KeyType: aws.String("API_KEY")})
	defCheck(t, err, defNotFound("Invalid API Key identifier specified"))
	_, err = e.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: aws.String("nope"), KeyId: k.Id, KeyType: aws.String("API_KEY")})
	defCheck(t, err, defNotFound("Invalid Usage Plan ID specified"))
	_, err = e.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p1.Id, KeyId: k.Id, KeyType: aws.String("COGNITO")})
	defCheck(t, err, defBad("Invalid key type specified. Must be one of: [API_KEY]"))
	if _, err := e.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p3.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")}); err != nil {
		t.Fatal(err)
	}
	// p3 may not take the stage p1 gives the key already.
	_, err = e.api.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: p3.Id, PatchOperations: []types.PatchOperation{op(types.OpAdd, "/apiStages", apiID+":prod")}})
	defCheck(t, err, defBad("Usage Plan "+*p3.Id+" cannot be added because API Key "+*k.Id+" cannot reference multiple Usage Plans with the same API Stage: "+apiID+":prod"))

	keys, err := e.api.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: p1.Id})
	if err != nil || len(keys.Items) != 1 || *keys.Items[0].Id != *k.Id {
		t.Fatalf("plan keys %+v %v", keys, err)
	}
	keys, _ = e.api.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: p1.Id, NameQuery: aws.String("zzz")})
	if len(keys.Items) != 0 {
		t.Fatalf("name query kept %+v", keys.Items)
	}
	plans, err := e.api.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{KeyId: k.Id})
	if err != nil || len(plans.Items) != 2 {
		t.Fatalf("plans of key %+v %v", plans, err)
	}
	got, err := e.api.GetUsagePlanKey(ctx, &apigateway.GetUsagePlanKeyInput{UsagePlanId: p1.Id, KeyId: k.Id})
	if err != nil || *got.Value != keyValue {
		t.Fatalf("get plan key %+v %v", got, err)
	}
	_, err = e.api.GetUsagePlanKey(ctx, &apigateway.GetUsagePlanKeyInput{UsagePlanId: p2.Id, KeyId: k.Id})
	defCheck(t, err, defNotFound("Invalid Usage Plan Key identifier specified"))
	if _, err := e.api.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: p1.Id, KeyId: k.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = e.api.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: p1.Id, KeyId: k.Id})
	defCheck(t, err, defNotFound("Invalid Usage Plan Key identifier specified"))
	// Now p2 can take the key.
	if _, err := e.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p2.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")}); err != nil {
		t.Fatal(err)
	}
	// Deleting the key removes it from its plans.
	e.api.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: k.Id})
	keys, _ = e.api.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: p2.Id})
	if len(keys.Items) != 0 {
		t.Fatalf("deleted key still in plan: %+v", keys.Items)
	}
}

func TestGetAndUpdateUsage(t *testing.T) {
	e := startStageEnv(t, nil)
	apiID := e.planFixture(t)
	p, _ := e.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p"),
		ApiStages: []types.ApiStage{{ApiId: aws.String(apiID), Stage: aws.String("prod")}},
		Quota:     &types.QuotaSettings{Limit: 100, Period: types.QuotaPeriodTypeMonth}})
	k, _ := e.api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k"), Enabled: true})
	e.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: p.Id, KeyId: k.Id, KeyType: aws.String("API_KEY")})
	today := time.Now().UTC()
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	u, err := e.api.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: p.Id, StartDate: aws.String(day(0)), EndDate: aws.String(day(0))})
	if err != nil || len(u.Items[*k.Id]) != 1 || u.Items[*k.Id][0][0] != 0 || u.Items[*k.Id][0][1] != 100 {
		t.Fatalf("usage %+v %v", u, err)
	}
	uu, err := e.api.UpdateUsage(ctx, &apigateway.UpdateUsageInput{UsagePlanId: p.Id, KeyId: k.Id,
		PatchOperations: []types.PatchOperation{op(types.OpReplace, "/remaining", "7")}})
	if err != nil || uu.Items[*k.Id][0][1] != 7 || *uu.UsagePlanId != *p.Id {
		t.Fatalf("update usage %+v %v", uu, err)
	}
	// The wire shape: "values" keyed by key id, [used, remaining] per day.
	status, _, body := e.raw(t, "GET", "/usageplans/"+*p.Id+"/usage?startDate="+day(0)+"&endDate="+day(0)+"&keyId="+*k.Id, "")
	var doc map[string]any
	json.Unmarshal(body, &doc)
	if status != 200 || doc["values"] == nil || doc["startDate"] != day(0) {
		t.Fatalf("raw usage %d %s", status, body)
	}
	for _, tc := range []struct {
		in   *apigateway.UpdateUsageInput
		want defErr
	}{
		{&apigateway.UpdateUsageInput{UsagePlanId: p.Id, KeyId: k.Id, PatchOperations: []types.PatchOperation{op(types.OpAdd, "/extension", "1")}},
			defBad("Invalid patch path  '/extension' specified for op 'add'. Must be one of: []")},
		{&apigateway.UpdateUsageInput{UsagePlanId: p.Id, KeyId: aws.String("nope"), PatchOperations: []types.PatchOperation{op(types.OpReplace, "/remaining", "1")}},
			defNotFound("Invalid API Key identifier specified")},
		{&apigateway.UpdateUsageInput{UsagePlanId: aws.String("nope"), KeyId: k.Id, PatchOperations: []types.PatchOperation{op(types.OpReplace, "/remaining", "1")}},
			defNotFound("Invalid Usage Plan ID specified")},
	} {
		_, err := e.api.UpdateUsage(ctx, tc.in)
		defCheck(t, err, tc.want)
	}
	_, err = e.api.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: p.Id, StartDate: aws.String("yesterday"), EndDate: aws.String(day(0))})
	defCheck(t, err, defBad("Invalid start date specified: yesterday"))
	_, err = e.api.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: p.Id, StartDate: aws.String(day(0)), EndDate: aws.String(day(-1))})
	defCheck(t, err, defBad("The end date must not be before the start date"))
	u, _ = e.api.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: p.Id, StartDate: aws.String(day(0)), EndDate: aws.String(day(0))})
	if u.Items[*k.Id][0][1] != 7 {
		t.Fatalf("failed updates changed usage: %+v", u.Items)
	}
}
