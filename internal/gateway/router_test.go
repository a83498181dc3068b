package gateway

import (
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

func TestRoutePrecedence(t *testing.T) {
	b := newAPIBuilder("routes")
	for _, p := range []string{
		"/", "/pets", "/pets/{petId}", "/pets/mine", "/pets/{petId}/toys",
		"/files/{proxy+}", "/shop/{item}/reviews", "/shop/featured", "/prefix-only/deep",
	} {
		b.method(p, "GET", mockIntegration("200", ""))
	}
	b.method("/pets", "POST", mockIntegration("200", ""))
	b.method("/anything", "ANY", mockIntegration("200", ""))
	b.resource("/empty/{id}") // no methods anywhere below /empty

	root := buildTree(b.snapshot().Resources, func(r *apigw.Resource, verb string, _ *apigw.Method) *method {
		return &method{verb: verb, resourcePath: r.Path}
	})

	tests := []struct {
		name, verb, path string
		want             string // resource path, "" = no route
		params           string // name=raw,... in binding order
	}{
		{"root", "GET", "/", "/", ""},
		{"literal", "GET", "/pets", "/pets", ""},
		{"trailing slash is ignored", "GET", "/pets/", "/pets", ""},
		{"literal beats variable", "GET", "/pets/mine", "/pets/mine", ""},
		{"variable binds segment", "GET", "/pets/42", "/pets/{petId}", "petId=42"},
		{"percent-encoded literal matches", "GET", "/pets/min%65", "/pets/mine", ""},
		{"variable keeps encoding raw", "GET", "/pets/a%20b", "/pets/{petId}", "petId=a%20b"},
		{"backtrack from literal to variable", "GET", "/pets/mine/toys", "/pets/{petId}/toys", "petId=mine"},
		{"backtrack when literal resource has no methods", "GET", "/shop/featured/reviews", "/shop/{item}/reviews", "item=featured"},
		{"greedy takes the rest", "GET", "/files/a/b/c.txt", "/files/{proxy+}", "proxy=a/b/c.txt"},
		{"greedy keeps trailing slash", "GET", "/files/dir/", "/files/{proxy+}", "proxy=dir/"},
		{"greedy does not match its parent", "GET", "/files", "", ""},
		{"resource without methods is not callable", "GET", "/prefix-only", "", ""},
		{"unknown path", "GET", "/nope", "", ""},
		{"variable without methods below", "GET", "/empty/1", "", ""},
		{"too deep", "GET", "/pets/1/toys/2", "", ""},
		{"empty segments skipped", "GET", "/pets//42", "/pets/{petId}", "petId=42"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, params := root.route(tc.path, nil)
			got := ""
			if n != nil {
				got = n.path
			}
			if got != tc.want {
				t.Fatalf("route(%q) = %q, want %q", tc.path, got, tc.want)
			}
			var ps []string
			for _, p := range params {
				ps = append(ps, p.name+"="+p.raw)
			}
			if strings.Join(ps, ",") != tc.params {
				t.Errorf("params = %v, want %s", ps, tc.params)
			}
		})
	}
}

func TestMethodSelection(t *testing.T) {
	b := newAPIBuilder("verbs")
	b.method("/pets", "GET", mockIntegration("200", ""))
	b.method("/pets", "ANY", mockIntegration("200", ""))
	b.method("/toys", "GET", mockIntegration("200", ""))
	root := buildTree(b.snapshot().Resources, func(r *apigw.Resource, verb string, _ *apigw.Method) *method {
		return &method{verb: verb, resourcePath: r.Path}
	})
	tests := []struct{ path, verb, want string }{
		{"/pets", "GET", "GET"},
		{"/pets", "DELETE", "ANY"},
		{"/toys", "GET", "GET"},
		{"/toys", "HEAD", ""}, // HEAD does not fall back to GET
		{"/toys", "POST", ""},
	}
	for _, tc := range tests {
		n, _ := root.route(tc.path, nil)
		m := n.lookup(tc.verb)
		got := ""
		if m != nil {
			got = m.verb
		}
		if got != tc.want {
			t.Errorf("%s %s selected %q, want %q", tc.verb, tc.path, got, tc.want)
		}
	}
}
