package mappingtemplate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The golden corpus: mapping template examples from AWS's developer guide,
// each a txtar archive (testdata/golden) with the template, the request
// (body, params, context), the exact output Velocity 1.7 semantics give,
// and, where the guide documents a JSON result, that result, compared as
// JSON (the guide's whitespace is not reliable).
//
// Sections: template, body, params ("path|query|header name=value" lines),
// context ("name=value" lines), stage ("name=value"), output, doc-json,
// overrides ("status N" or "header|path|querystring name=value" lines).

func parseTxtar(t *testing.T, data []byte) map[string]string {
	t.Helper()
	files := map[string]string{}
	var name string
	var buf strings.Builder
	flush := func() {
		if name != "" {
			files[name] = buf.String()
		}
		buf.Reset()
	}
	for line := range strings.SplitAfterSeq(string(data), "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") {
			flush()
			name = strings.TrimSuffix(strings.TrimPrefix(trimmed, "-- "), " --")
			continue
		}
		if name != "" {
			buf.WriteString(line)
		}
	}
	flush()
	return files
}

func kvLines(s string) [][3]string {
	var out [][3]string
	for line := range strings.SplitSeq(strings.TrimRight(s, "\n"), "\n") {
		if line == "" {
			continue
		}
		kind, rest, _ := strings.Cut(line, " ")
		k, v, _ := strings.Cut(rest, "=")
		out = append(out, [3]string{kind, k, v})
	}
	return out
}

func TestGolden(t *testing.T) {
	paths, _ := filepath.Glob("testdata/golden/*.txtar")
	if len(paths) < 10 {
		t.Fatalf("golden corpus has %d cases", len(paths))
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f := parseTxtar(t, data)
			in := &Input{Body: []byte(strings.TrimSuffix(f["body"], "\n")), Query: url.Values{}, Header: http.Header{}}
			for _, kv := range kvLines(f["params"]) {
				switch kv[0] {
				case "path":
					in.Path = append(in.Path, Param{kv[1], kv[2]})
				case "query":
					in.Query.Add(kv[1], kv[2])
				case "header":
					in.Header.Add(kv[1], kv[2])
				}
			}
			for line := range strings.SplitSeq(strings.TrimRight(f["stage"], "\n"), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					if in.StageVariables == nil {
						in.StageVariables = map[string]string{}
					}
					in.StageVariables[k] = v
				}
			}
			ctx := map[string]any{}
			for line := range strings.SplitSeq(strings.TrimRight(f["context"], "\n"), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					ctx[k] = v
				}
			}
			in.Context = ContextFunc(func(name string) (any, bool) {
				v, ok := ctx[name]
				return v, ok
			})
			tm, err := Compile(f["template"])
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			res, err := tm.Render(nil, in)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if os.Getenv("GOLDEN_SHOW") != "" {
				t.Logf("output:\n%s", res.Body)
			}
			if want, ok := f["output"]; ok && string(res.Body) != want {
				t.Errorf("output\n got %q\nwant %q", res.Body, want)
			}
			if doc, ok := f["doc-json"]; ok {
				var got, want any
				if err := json.Unmarshal(res.Body, &got); err != nil {
					t.Fatalf("output is not JSON: %v\n%s", err, res.Body)
				}
				if err := json.Unmarshal([]byte(doc), &want); err != nil {
					t.Fatalf("doc-json: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("output as JSON\n got %v\nwant %v", got, want)
				}
			}
			if ov, ok := f["overrides"]; ok {
				var b bytes.Buffer
				for _, o := range []*Overrides{res.RequestOverride, res.ResponseOverride} {
					if o == nil {
						continue
					}
					if o.Status != 0 {
						fmt.Fprintf(&b, "status %d\n", o.Status)
					}
					for _, fam := range []struct {
						name string
						ps   []Param
					}{{"header", o.Header}, {"path", o.Path}, {"querystring", o.QueryString}} {
						for _, p := range fam.ps {
							fmt.Fprintf(&b, "%s %s=%s\n", fam.name, p.Name, p.Value)
						}
					}
				}
				if b.String() != ov {
					t.Errorf("overrides\n got %q\nwant %q", b.String(), ov)
				}
			}
		})
	}
}
