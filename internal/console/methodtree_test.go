package console

import (
	"reflect"
	"testing"
)

func TestMethodPatchPrefix(t *testing.T) {
	for _, tc := range []struct {
		path, verb, want string
	}{
		{"/pets", "GET", "/~1pets/GET"},
		{"/pets/{petId}", "GET", "/~1pets~1{petId}/GET"},
		{"/", "POST", "/~1/POST"},
		{"/a~b/c", "ANY", "/~1a~0b~1c/ANY"},
		{"/{proxy+}", "ANY", "/~1{proxy+}/ANY"},
	} {
		if got := methodPatchPrefix(tc.path, tc.verb); got != tc.want {
			t.Errorf("methodPatchPrefix(%q, %q) = %q, want %q", tc.path, tc.verb, got, tc.want)
		}
	}
}

func TestBuildTreeOrdersDepthFirstAndFillsGaps(t *testing.T) {
	got := buildTree(map[string][]string{
		"/users":              {"GET"},
		"/pets/{petId}":       {"PUT", "GET", "DELETE"},
		"/pets":               {"POST", "GET"},
		"/shop/orders/{id}":   {"GET"},
		"/pets/{petId}/photo": {"ANY"},
	})
	want := []treeNode{
		{Path: "/", Depth: 0, Label: "/"},
		{Path: "/pets", Depth: 1, Label: "/pets", Methods: []string{"GET", "POST"}},
		{Path: "/pets/{petId}", Depth: 2, Label: "/{petId}", Methods: []string{"DELETE", "GET", "PUT"}},
		{Path: "/pets/{petId}/photo", Depth: 3, Label: "/photo", Methods: []string{"ANY"}},
		{Path: "/shop", Depth: 1, Label: "/shop"},
		{Path: "/shop/orders", Depth: 2, Label: "/orders"},
		{Path: "/shop/orders/{id}", Depth: 3, Label: "/{id}", Methods: []string{"GET"}},
		{Path: "/users", Depth: 1, Label: "/users", Methods: []string{"GET"}},
	}
	for i := range got {
		if len(got[i].Methods) == 0 {
			got[i].Methods = nil
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tree:\n got %+v\nwant %+v", got, want)
	}
}

func TestPointerEscape(t *testing.T) {
	for in, want := range map[string]string{"plain": "plain", "a/b": "a~1b", "x~y": "x~0y", "~/": "~0~1"} {
		if got := pointerEscape(in); got != want {
			t.Errorf("pointerEscape(%q) = %q, want %q", in, got, want)
		}
	}
}
