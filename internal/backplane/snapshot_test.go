package backplane

import (
	"reflect"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// fill sets every field of v (recursively) to a non-zero value, so a copy
// function that forgets a reference field is caught by sharesMemory.
func fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if depth > 6 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(apigw.Time{}) {
			v.Set(reflect.ValueOf(apigw.Now()))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, depth+1)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	}
}

// sharesMemory reports the first path at which a and b share a map, slice
// or pointer.
func sharesMemory(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return sharesMemory(a.Elem(), b.Elem(), path)
	case reflect.Map:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		for _, k := range a.MapKeys() {
			if p := sharesMemory(a.MapIndex(k), b.MapIndex(k), path+"["+k.String()+"]"); p != "" {
				return p
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if p := sharesMemory(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

func TestCopiesShareNothing(t *testing.T) {
	var api apigw.RestAPI
	fill(reflect.ValueOf(&api).Elem(), 0)
	snap := newSnapshot(&api)
	if !reflect.DeepEqual(snap.Resources, api.Resources) {
		t.Fatalf("snapshot resources differ from the API's")
	}
	if p := sharesMemory(reflect.ValueOf(api.Resources), reflect.ValueOf(snap.Resources), "Resources"); p != "" {
		t.Errorf("snapshot shares %s with the API", p)
	}
	if p := sharesMemory(reflect.ValueOf(api.BinaryMediaTypes), reflect.ValueOf(snap.BinaryMediaTypes), "BinaryMediaTypes"); p != "" {
		t.Errorf("snapshot shares %s with the API", p)
	}
	if !reflect.DeepEqual(snap.Authorizers, api.Authorizers) || !reflect.DeepEqual(snap.GatewayResponses, api.GatewayResponses) {
		t.Fatalf("snapshot authorizers or gateway responses differ from the API's")
	}
	if p := sharesMemory(reflect.ValueOf(api.Authorizers), reflect.ValueOf(snap.Authorizers), "Authorizers"); p != "" {
		t.Errorf("snapshot shares %s with the API", p)
	}
	if p := sharesMemory(reflect.ValueOf(api.GatewayResponses), reflect.ValueOf(snap.GatewayResponses), "GatewayResponses"); p != "" {
		t.Errorf("snapshot shares %s with the API", p)
	}
	if !reflect.DeepEqual(snap.Models, api.Models) || !reflect.DeepEqual(snap.RequestValidators, api.RequestValidators) {
		t.Fatalf("snapshot models or validators differ from the API's")
	}
	if p := sharesMemory(reflect.ValueOf(api.Models), reflect.ValueOf(snap.Models), "Models"); p != "" {
		t.Errorf("snapshot shares %s with the API", p)
	}
	if p := sharesMemory(reflect.ValueOf(api.RequestValidators), reflect.ValueOf(snap.RequestValidators), "RequestValidators"); p != "" {
		t.Errorf("snapshot shares %s with the API", p)
	}

	var st apigw.Stage
	fill(reflect.ValueOf(&st).Elem(), 0)
	c := cloneStage(&st)
	if !reflect.DeepEqual(c, &st) {
		t.Fatalf("cloneStage changed the stage")
	}
	if p := sharesMemory(reflect.ValueOf(&st), reflect.ValueOf(c), "Stage"); p != "" {
		t.Errorf("stage copy shares %s", p)
	}
}

func TestSnapshotIgnoresLaterEdits(t *testing.T) {
	api := &apigw.RestAPI{Name: "pets", Resources: map[string]*apigw.Resource{
		"root": {ID: "root", Path: "/", ResourceMethods: map[string]*apigw.Method{
			"GET": {HTTPMethod: "GET", AuthorizationType: "NONE", MethodIntegration: &apigw.Integration{Type: apigw.IntegrationMock,
				RequestTemplates: map[string]string{"application/json": `{"statusCode":200}`}}},
		}},
	}}
	snap := newSnapshot(api)
	api.Name = "renamed"
	api.Resources["root"].ResourceMethods["GET"].AuthorizationType = "AWS_IAM"
	api.Resources["root"].ResourceMethods["GET"].MethodIntegration.RequestTemplates["application/json"] = "changed"
	api.Resources["root"].ResourceMethods["POST"] = &apigw.Method{HTTPMethod: "POST"}
	api.Resources["child"] = &apigw.Resource{ID: "child", Path: "/child"}

	got := snap.Resources["root"].ResourceMethods
	if snap.APIName != "pets" || len(snap.Resources) != 1 || len(got) != 1 ||
		got["GET"].AuthorizationType != "NONE" ||
		got["GET"].MethodIntegration.RequestTemplates["application/json"] != `{"statusCode":200}` {
		t.Errorf("snapshot changed with the API: %+v", snap)
	}
}
