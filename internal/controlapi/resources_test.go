package controlapi_test

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// defPaths maps an API's resource paths to their ids.
func (e defEnv) defPaths(t *testing.T, apiID string) map[string]string {
	t.Helper()
	out, err := e.c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: &apiID, Limit: aws.Int32(500)})
	if err != nil {
		t.Fatalf("GetResources: %v", err)
	}
	paths := map[string]string{}
	for _, r := range out.Items {
		paths[*r.Path] = *r.Id
	}
	return paths
}

func TestCreateResource(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	cases := []struct{ parent, pathPart, wantPath string }{
		{"/", "pets", "/pets"},
		{"/pets", "{petId}", "/pets/{petId}"},
		{"/pets/{petId}", "toys.v2_x-y", "/pets/{petId}/toys.v2_x-y"},
		{"/", "items:batchGet", "/items:batchGet"},
		{"/", "files", "/files"},
		{"/files", "{proxy+}", "/files/{proxy+}"},
	}
	for _, tc := range cases {
		t.Run(tc.wantPath, func(t *testing.T) {
			parent := e.defPaths(t, apiID)[tc.parent]
			out, err := e.c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: &apiID, ParentId: &parent, PathPart: aws.String(tc.pathPart)})
			if err != nil {
				t.Fatal(err)
			}
			if *out.Path != tc.wantPath || *out.PathPart != tc.pathPart || *out.ParentId != parent || len(*out.Id) != 10 || out.ResourceMethods != nil {
				t.Errorf("created %+v", out)
			}
		})
	}
	if got := e.defPaths(t, apiID)["/"]; got != rootID {
		t.Errorf("root id changed: %s", got)
	}
}

func TestCreateResourceRejects(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	pets := e.newResource(t, apiID, rootID, "pets")
	e.newResource(t, apiID, pets, "{petId}")
	files := e.newResource(t, apiID, rootID, "files")
	greedy := e.newResource(t, apiID, files, "{proxy+}")
	const partRule = "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."
	cases := []struct {
		name, api, parent, part string
		want                    defErr
	}{
		{"empty path part", apiID, rootID, "", defBad("Resource's path part must be specified")},
		{"slash", apiID, rootID, "a/b", defBad(partRule)},
		{"space", apiID, rootID, "my pets", defBad(partRule)},
		{"brace inside", apiID, rootID, "pet{id}", defBad(partRule)},
		{"unclosed variable", apiID, rootID, "{id", defBad(partRule)},
		{"plus outside braces", apiID, rootID, "proxy+", defBad(partRule)},
		{"child of greedy", apiID, greedy, "more", defBad("Cannot create a child of a resource with a greedy path variable: {proxy+}")},
		{"second variable sibling", apiID, pets, "{name}", defBad("A sibling ({petId}) of this resource already has a variable path part -- only one is allowed")},
		{"greedy beside variable", apiID, pets, "{all+}", defBad("A sibling ({petId}) of this resource already has a variable path part -- only one is allowed")},
		{"same name", apiID, rootID, "pets", defConflict("Another resource with the same parent already has this name: pets")},
		{"same variable", apiID, pets, "{petId}", defConflict("Another resource with the same parent already has this name: {petId}")},
		{"unknown parent", apiID, "nosuchres0", "x", defNotFound("Invalid Resource identifier specified")},
		{"unknown API", "nosuchapi0", rootID, "x", defNoAPI("nosuchapi0")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateResource(bg, &apigateway.CreateResourceInput{RestApiId: aws.String(tc.api), ParentId: aws.String(tc.parent), PathPart: aws.String(tc.part)})
			defCheck(t, err, tc.want)
		})
	}
	if n := len(e.defPaths(t, apiID)); n != 5 {
		t.Errorf("refused creates left %d resources, want 5", n)
	}
}

func TestGetResourcesEmbedsMethods(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	pets := e.newResource(t, apiID, rootID, "pets")
	e.newMethod(t, apiID, pets, "GET", map[string]bool{"method.request.querystring.kind": true})

	// Without embed, AWS lists each method as an empty object.
	status, body := e.rawJSON(t, "GET", "/restapis/"+apiID+"/resources/"+pets, "")
	methods, _ := body["resourceMethods"].(map[string]any)
	if status != 200 || len(methods) != 1 || len(methods["GET"].(map[string]any)) != 0 {
		t.Errorf("GetResource: %d %v", status, body)
	}
	status, body = e.rawJSON(t, "GET", "/restapis/"+apiID+"/resources/"+pets+"?embed=methods", "")
	get, _ := body["resourceMethods"].(map[string]any)["GET"].(map[string]any)
	if status != 200 || get["httpMethod"] != "GET" || get["authorizationType"] != "NONE" {
		t.Errorf("GetResource embed=methods: %d %v", status, body)
	}
	list, err := e.c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: &apiID, Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.Items {
		if *r.Path == "/pets" && !r.ResourceMethods["GET"].RequestParameters["method.request.querystring.kind"] {
			t.Errorf("embedded method: %+v", r.ResourceMethods["GET"])
		}
	}
	// Paging: root and /pets, one per page.
	page1, err := e.c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: &apiID, Limit: aws.Int32(1)})
	if err != nil || len(page1.Items) != 1 || *page1.Items[0].Path != "/" || page1.Position == nil {
		t.Fatalf("page 1: %+v %v", page1, err)
	}
	page2, err := e.c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: &apiID, Limit: aws.Int32(1), Position: page1.Position})
	if err != nil || len(page2.Items) != 1 || *page2.Items[0].Path != "/pets" || page2.Position != nil {
		t.Fatalf("page 2: %+v %v", page2, err)
	}
	_, err = e.c.GetResource(bg, &apigateway.GetResourceInput{RestApiId: &apiID, ResourceId: aws.String("nosuchres0")})
	defCheck(t, err, defNotFound("Invalid Resource identifier specified"))
	_, err = e.c.GetResources(bg, &apigateway.GetResourcesInput{RestApiId: aws.String("nosuchapi0")})
	defCheck(t, err, defNoAPI("nosuchapi0"))
}

func TestUpdateResourceMovesSubtree(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	pets := e.newResource(t, apiID, rootID, "pets")
	petID := e.newResource(t, apiID, pets, "{petId}")
	e.newResource(t, apiID, petID, "toys")
	v1 := e.newResource(t, apiID, rootID, "v1")

	out, err := e.c.UpdateResource(bg, &apigateway.UpdateResourceInput{RestApiId: &apiID, ResourceId: &pets, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/pathPart"), Value: aws.String("animals")},
		{Op: types.OpReplace, Path: aws.String("/parentId"), Value: &v1},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Path != "/v1/animals" || *out.ParentId != v1 || *out.PathPart != "animals" {
		t.Errorf("updated: %+v", out)
	}
	paths := e.defPaths(t, apiID)
	for _, p := range []string{"/v1/animals", "/v1/animals/{petId}", "/v1/animals/{petId}/toys"} {
		if paths[p] == "" {
			t.Errorf("missing %s in %v", p, paths)
		}
	}
	if paths["/pets"] != "" || paths["/v1/animals/{petId}"] != petID {
		t.Errorf("old paths remain or ids changed: %v", paths)
	}
}

func TestUpdateResourceRejects(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	pets := e.newResource(t, apiID, rootID, "pets")
	petID := e.newResource(t, apiID, pets, "{petId}")
	e.newResource(t, apiID, rootID, "toys")
	files := e.newResource(t, apiID, rootID, "files")
	greedy := e.newResource(t, apiID, files, "{proxy+}")
	replace := func(path, value string) types.PatchOperation {
		return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
	}
	cases := []struct {
		name     string
		resource string
		ops      []types.PatchOperation
		want     defErr
	}{
		{"unknown path", pets, []types.PatchOperation{replace("/path", "/x")},
			defBad("Invalid patch path  '/path' specified for op 'replace'. Must be one of: [/parentId, /pathPart]")},
		{"add op", pets, []types.PatchOperation{{Op: types.OpAdd, Path: aws.String("/pathPart"), Value: aws.String("x")}},
			defBad("Invalid patch path  '/pathPart' specified for op 'add'. Please choose supported operations")},
		{"under itself", pets, []types.PatchOperation{replace("/parentId", pets)}, defBad("Resources cannot be cyclical.")},
		{"under its child", pets, []types.PatchOperation{replace("/parentId", petID)}, defBad("Resources cannot be cyclical.")},
		{"unknown parent", pets, []types.PatchOperation{replace("/parentId", "nosuchres0")}, defNotFound("Invalid Resource identifier specified")},
		{"duplicate name", pets, []types.PatchOperation{replace("/pathPart", "toys")}, defConflict("Another resource with the same parent already has this name: toys")},
		{"bad path part", pets, []types.PatchOperation{replace("/pathPart", "a b")},
			defBad("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")},
		{"under greedy", pets, []types.PatchOperation{replace("/parentId", greedy)}, defBad("Cannot create a child of a resource with a greedy path variable: {proxy+}")},
		{"rename to greedy with children", pets, []types.PatchOperation{replace("/pathPart", "{all+}")},
			defBad("Cannot create a child of a resource with a greedy path variable: {all+}")},
		{"valid then invalid", pets, []types.PatchOperation{replace("/pathPart", "animals"), replace("/parentId", pets)}, defBad("Resources cannot be cyclical.")},
		{"root", rootID, []types.PatchOperation{replace("/pathPart", "x")}, defBad("Root resource cannot be updated")},
		{"unknown resource", "nosuchres0", []types.PatchOperation{replace("/pathPart", "x")}, defNotFound("Invalid Resource identifier specified")},
	}
	before := e.defPaths(t, apiID)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.UpdateResource(bg, &apigateway.UpdateResourceInput{RestApiId: &apiID, ResourceId: aws.String(tc.resource), PatchOperations: tc.ops})
			defCheck(t, err, tc.want)
		})
	}
	after := e.defPaths(t, apiID)
	if len(after) != len(before) || after["/pets/{petId}"] != petID {
		t.Errorf("refused updates changed the tree: %v", after)
	}
}

func TestDeleteResource(t *testing.T) {
	e := startDefEnv(t, nil)
	apiID, rootID := e.newAPI(t)
	pets := e.newResource(t, apiID, rootID, "pets")
	petID := e.newResource(t, apiID, pets, "{petId}")
	e.newResource(t, apiID, petID, "toys")
	e.newResource(t, apiID, rootID, "owners")

	status, _ := e.rawJSON(t, http.MethodDelete, "/restapis/"+apiID+"/resources/"+pets, "")
	if status != http.StatusAccepted {
		t.Fatalf("DeleteResource status %d, want 202", status)
	}
	paths := e.defPaths(t, apiID)
	if len(paths) != 2 || paths["/"] == "" || paths["/owners"] == "" {
		t.Errorf("after delete: %v", paths)
	}
	_, err := e.c.DeleteResource(bg, &apigateway.DeleteResourceInput{RestApiId: &apiID, ResourceId: &petID})
	defCheck(t, err, defNotFound("Invalid Resource identifier specified"))
	_, err = e.c.DeleteResource(bg, &apigateway.DeleteResourceInput{RestApiId: &apiID, ResourceId: &rootID})
	defCheck(t, err, defBad("Root resource cannot be deleted"))
	// The deleted path can be created again.
	e.newResource(t, apiID, rootID, "pets")
}
