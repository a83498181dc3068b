package tracing

import (
	"strings"
	"testing"
	"time"
)

func TestContinue(t *testing.T) {
	now := time.Unix(0x5759e988, 0)
	const root = "1-5759e988-bd862e3fe1be46a994272793"
	for _, tc := range []struct {
		name, in   string
		rate       float64
		wantRoot   string // "" = a new root at now
		wantCaller string
		sampled    bool
	}{
		{"none, rate 1", "", 1, "", "", true},
		{"none, rate 0", "", 0, "", "", false},
		{"root only: rate decides", "Root=" + root, 1, root, "", true},
		{"caller says 0", "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=0", 1, root, "53995c3f42cd8ad8", false},
		{"caller says 1", "Root=" + root + ";Sampled=1", 0, root, "", true},
		{"spaces and order", "Sampled=1; Parent=53995c3f42cd8ad8; Root=" + root, 0, root, "53995c3f42cd8ad8", true},
		{"bad root", "Root=1-xyz-123;Sampled=1", 0, "", "", true},
		{"upper-case hex is not X-Ray's", "Root=1-5759E988-BD862E3FE1BE46A994272793", 0, "", "", false},
		{"bad parent ignored", "Root=" + root + ";Parent=xyz", 0, root, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Continue(tc.in, now, tc.rate)
			if tc.wantRoot == "" {
				if !validRoot(c.Root) || c.Root == root || !strings.HasPrefix(c.Root, "1-5759e988-") {
					t.Errorf("root %q, want a new one at now", c.Root)
				}
			} else if c.Root != tc.wantRoot {
				t.Errorf("root %q, want %q", c.Root, tc.wantRoot)
			}
			if c.Caller != tc.wantCaller || c.Sampled != tc.sampled || len(c.Parent) != 16 || !isHex(c.Parent) {
				t.Errorf("got %+v", c)
			}
			if h := c.Header(); h != "Root="+c.Root+";Parent="+c.Parent+";Sampled="+sampledFlag(c.Sampled) {
				t.Errorf("header %q", h)
			}
		})
	}
}

// BenchmarkContinue is what a traced request pays without an exporter:
// parse the caller's header, decide, and render the two headers.
func BenchmarkContinue(b *testing.B) {
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		c := Continue("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", now, 0.05)
		_, _ = c.Header(), c.ResponseHeader()
	}
}
