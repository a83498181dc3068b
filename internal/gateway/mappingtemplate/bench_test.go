package mappingtemplate

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// BenchmarkRenderPhotos renders the developer guide's photos output
// template over its ~1 KB input: parse the body, walk it, write JSON.
// Target: under 20 µs per render.
func BenchmarkRenderPhotos(b *testing.B) {
	data, err := os.ReadFile("testdata/golden/photos-output.txtar")
	if err != nil {
		b.Fatal(err)
	}
	f := parseTxtar(&testing.T{}, data)
	// The guide's two photos plus a third: about 1 KB.
	third := `,
      {
        "id": "34567890123",
        "owner": "45678901@C34",
        "secret": "cde345f678",
        "server": "3456",
        "farm": 3,
        "title": "Sample photo 3",
        "ispublic": 0,
        "isfriend": 1,
        "isfamily": 1
      }
    ]`
	i := strings.LastIndex(f["body"], "\n    ]")
	body := []byte(f["body"][:i] + third + f["body"][i+6:])
	if len(body) < 850 || len(body) > 1200 {
		b.Fatalf("body is %d bytes, want about 1 KB", len(body))
	}
	tm, err := Compile(f["template"])
	if err != nil {
		b.Fatal(err)
	}
	in := &Input{Body: body, Query: url.Values{}, Header: http.Header{}}
	buf := make([]byte, 0, 2048)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := tm.Render(buf[:0], in)
		if err != nil || len(res.Body) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderParams is a template that reads parameters and context
// but not the body (no JSON parse).
func BenchmarkRenderParams(b *testing.B) {
	tm, err := Compile(`{"id": "$input.params('id')", "q": "$input.params('q')", "stage": "$context.stage", "env": "$stageVariables.env"}`)
	if err != nil {
		b.Fatal(err)
	}
	in := &Input{
		Path:           []Param{{"id", "42"}},
		Query:          url.Values{"q": {"x"}},
		Header:         http.Header{"Accept": {"*/*"}},
		StageVariables: map[string]string{"env": "prod"},
		Context: ContextFunc(func(name string) (any, bool) {
			if name == "stage" {
				return "prod", true
			}
			return nil, false
		}),
	}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tm.Render(buf[:0], in); err != nil {
			b.Fatal(err)
		}
	}
}
