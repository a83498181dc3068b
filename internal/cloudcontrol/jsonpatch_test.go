package cloudcontrol

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestApplyJSONPatch(t *testing.T) {
	const base = `{"RestApiId":"a1","StageName":"prod","Description":"v1","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*"}],"Tags":[{"Key":"k","Value":"v"}]}`
	tests := []struct {
		name  string
		patch string
		want  string // JSON, or "error: substring"
	}{
		{"replace a property", `[{"op":"replace","path":"/Description","value":"v2"}]`,
			`{"RestApiId":"a1","StageName":"prod","Description":"v2","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*"}],"Tags":[{"Key":"k","Value":"v"}]}`},
		{"add restating an identifier keeps it", `[{"op":"add","path":"/RestApiId","value":"a1"}]`, base},
		{"append to an array", `[{"op":"add","path":"/MethodSettings/-","value":{"HttpMethod":"GET","ResourcePath":"/~1pets"}}]`,
			`{"RestApiId":"a1","StageName":"prod","Description":"v1","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*"},{"HttpMethod":"GET","ResourcePath":"/~1pets"}],"Tags":[{"Key":"k","Value":"v"}]}`},
		{"insert at an index", `[{"op":"add","path":"/Tags/0","value":{"Key":"a","Value":"b"}}]`,
			`{"RestApiId":"a1","StageName":"prod","Description":"v1","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*"}],"Tags":[{"Key":"a","Value":"b"},{"Key":"k","Value":"v"}]}`},
		{"remove an array element", `[{"op":"remove","path":"/Tags/0"}]`,
			`{"RestApiId":"a1","StageName":"prod","Description":"v1","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*"}],"Tags":[]}`},
		{"replace a nested member", `[{"op":"replace","path":"/MethodSettings/0/HttpMethod","value":"GET"}]`,
			`{"RestApiId":"a1","StageName":"prod","Description":"v1","MethodSettings":[{"HttpMethod":"GET","ResourcePath":"/*"}],"Tags":[{"Key":"k","Value":"v"}]}`},
		{"move", `[{"op":"move","from":"/Description","path":"/DocumentationVersion"}]`,
			`{"RestApiId":"a1","StageName":"prod","DocumentationVersion":"v1","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*"}],"Tags":[{"Key":"k","Value":"v"}]}`},
		{"copy", `[{"op":"copy","from":"/StageName","path":"/Description"}]`,
			`{"RestApiId":"a1","StageName":"prod","Description":"prod","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*"}],"Tags":[{"Key":"k","Value":"v"}]}`},
		{"test passes", `[{"op":"test","path":"/StageName","value":"prod"},{"op":"remove","path":"/Description"}]`,
			`{"RestApiId":"a1","StageName":"prod","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*"}],"Tags":[{"Key":"k","Value":"v"}]}`},
		{"escaped member names", `[{"op":"add","path":"/Variables","value":{}},{"op":"add","path":"/Variables/a~1b~0c","value":"x"}]`,
			`{"RestApiId":"a1","StageName":"prod","Description":"v1","MethodSettings":[{"HttpMethod":"*","ResourcePath":"/*"}],"Tags":[{"Key":"k","Value":"v"}],"Variables":{"a/b~c":"x"}}`},
		{"test fails", `[{"op":"test","path":"/StageName","value":"dev"}]`, "error: test failed"},
		{"replace of a missing member", `[{"op":"replace","path":"/Nope","value":1}]`, "error: does not exist"},
		{"remove of a missing member", `[{"op":"remove","path":"/Nope"}]`, "error: does not exist"},
		{"index out of bounds", `[{"op":"add","path":"/Tags/5","value":{}}]`, "error: out of bounds"},
		{"leading zero index", `[{"op":"remove","path":"/Tags/00"}]`, "error: invalid array index"},
		{"add under a missing parent", `[{"op":"add","path":"/A/B","value":1}]`, "error: does not exist"},
		{"pointer without slash", `[{"op":"add","path":"Description","value":"x"}]`, "error: must start with /"},
		{"move into own child", `[{"op":"move","from":"/Tags","path":"/Tags/0"}]`, "error: own child"},
		{"replace the root with a non-object", `[{"op":"replace","path":"","value":1}]`, "error: cannot remove the whole document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			json.Unmarshal([]byte(base), &doc)
			ops, err := parsePatchDocument(tt.patch)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := applyJSONPatch(doc, ops)
			if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want one containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("apply: %v", err)
			}
			var want map[string]any
			json.Unmarshal([]byte(tt.want), &want)
			if !jsonEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Fatalf("got %s\nwant %s", g, tt.want)
			}
			// The input document is never modified.
			b, _ := json.Marshal(doc)
			var orig map[string]any
			json.Unmarshal([]byte(base), &orig)
			if !jsonEqual(doc, orig) {
				t.Fatalf("input modified: %s", b)
			}
		})
	}
}

func TestParsePatchDocumentRejects(t *testing.T) {
	for _, doc := range []string{
		`{"op":"add"}`,
		`[{"op":"frobnicate","path":"/A"}]`,
		`[{"op":"add","path":"/A"}]`,
		`[{"op":"copy","path":"/A"}]`,
		`[{"op":"remove"}]`,
		`not json`,
	} {
		if _, err := parsePatchDocument(doc); err == nil {
			t.Errorf("parsePatchDocument(%s) accepted", doc)
		}
	}
}
