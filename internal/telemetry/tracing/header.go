// Package tracing is X-Ray-style tracing for stages with tracingEnabled:
// the X-Amzn-Trace-Id header (continued from the caller or started here,
// with its sampling decision) and, when an OTLP endpoint is configured,
// spans exported with the OpenTelemetry SDK. An X-Ray trace id
// "1-{8 hex epoch}-{24 hex}" is the OpenTelemetry trace id of its 32 hex
// digits, so spans and the header name the same trace.
package tracing

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"time"
)

// HeaderName is the trace header AWS passes along.
const HeaderName = "X-Amzn-Trace-Id"

// Context is one request's trace: its root (the trace id), the parent
// segment downstream calls hang off, and the sampling decision.
type Context struct {
	Root    string // "1-5759e988-bd862e3fe1be46a994272793"
	Parent  string // 16 hex digits: this gateway's segment
	Caller  string // the caller's Parent, if it sent one
	Sampled bool
}

// Continue continues the caller's trace from its X-Amzn-Trace-Id, when
// the header carries a valid Root, honouring its Sampled=0/1; otherwise
// it starts a new trace at now. Without a caller's decision, rate (0..1)
// decides sampling.
func Continue(incoming string, now time.Time, rate float64) Context {
	var tc Context
	decided := false
	for part := range strings.SplitSeq(incoming, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			if validRoot(v) {
				tc.Root = v
			}
		case "Parent":
			if len(v) == 16 && isHex(v) {
				tc.Caller = v
			}
		case "Sampled":
			switch v {
			case "0":
				tc.Sampled, decided = false, true
			case "1":
				tc.Sampled, decided = true, true
			}
		}
	}
	if tc.Root == "" {
		tc.Root, tc.Caller = NewRoot(now), ""
	}
	if !decided {
		tc.Sampled = rate >= 1 || rate > 0 && rand.Float64() < rate
	}
	tc.Parent = NewSpanID()
	return tc
}

// Header is the X-Amzn-Trace-Id passed to backends and Lambda.
func (tc *Context) Header() string {
	return "Root=" + tc.Root + ";Parent=" + tc.Parent + ";Sampled=" + sampledFlag(tc.Sampled)
}

// ResponseHeader is the X-Amzn-Trace-Id returned to the caller: the trace
// and its sampling decision.
func (tc *Context) ResponseHeader() string {
	return "Root=" + tc.Root + ";Sampled=" + sampledFlag(tc.Sampled)
}

func sampledFlag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// NewRoot returns a new X-Ray trace id: version 1, the epoch second in 8
// hex digits, 96 random bits.
func NewRoot(now time.Time) string {
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint32(b[8:], rand.Uint32())
	var ts [4]byte
	binary.BigEndian.PutUint32(ts[:], uint32(now.Unix()))
	return "1-" + hex.EncodeToString(ts[:]) + "-" + hex.EncodeToString(b[:])
}

// NewSpanID returns 16 random hex digits (never all zero).
func NewSpanID() string {
	var b [8]byte
	for {
		binary.LittleEndian.PutUint64(b[:], rand.Uint64())
		if b != [8]byte{} {
			return hex.EncodeToString(b[:])
		}
	}
}

// validRoot: "1-" 8 hex "-" 24 hex.
func validRoot(s string) bool {
	return len(s) == 35 && s[:2] == "1-" && s[10] == '-' && isHex(s[2:10]) && isHex(s[11:])
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// TraceIDHex is the OpenTelemetry trace id of a root: its 32 hex digits.
func TraceIDHex(root string) string { return root[2:10] + root[11:] }

var timeNow = time.Now
