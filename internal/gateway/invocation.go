package gateway

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// invocation is one request on its way through a method's pipeline. It is
// pooled: nothing may keep a pointer to it after the pipeline returns.
type invocation struct {
	w http.ResponseWriter
	r *http.Request

	variant *variant
	method  *method
	path    string // escaped request path after the stage, "/" for the root
	params  []pathParam

	requestID  string // x-amzn-RequestId, $context.requestId
	extendedID string // x-amz-apigw-id, $context.extendedRequestId
	start      time.Time

	proxyPlan *httpProxyPlan // set by HTTP_PROXY for its Rewrite hook

	// What the stage settings did to this request, for logs and metrics:
	// canary: served by the stage's canary deployment (set once the
	// variant is picked); throttled: answered 429 by a throttle level
	// (throttling.go); cache: hit, miss, or not applicable (caching.go).
	canary    bool
	throttled bool
	cache     cacheResult

	obs observation // what telemetry records of this request (telemetry.go)

	paramBuf [4]pathParam
}

var invocationPool = sync.Pool{New: func() any { return new(invocation) }}

func getInvocation(w http.ResponseWriter, r *http.Request) *invocation {
	inv := invocationPool.Get().(*invocation)
	inv.w, inv.r = w, r
	inv.requestID, inv.extendedID = newRequestIDs()
	inv.start = time.Now()
	return inv
}

func putInvocation(inv *invocation) {
	buf := inv.paramBuf
	clear(buf[:])
	*inv = invocation{paramBuf: buf}
	invocationPool.Put(inv)
}

// param returns the decoded value of the method request path parameter
// name.
func (inv *invocation) param(name string) (string, bool) {
	for _, p := range inv.params {
		if p.name == name {
			return p.value(), true
		}
	}
	return "", false
}

// rawParam returns the still-escaped value of a path parameter, as it
// appeared in the request path: what goes back into a backend URL.
func (inv *invocation) rawParam(name string) (string, bool) {
	for _, p := range inv.params {
		if p.name == name {
			return p.raw, true
		}
	}
	return "", false
}

// newRequestIDs returns a fresh x-amzn-RequestId (a random version-4
// UUID, AWS's shape) and x-amz-apigw-id (11 random bytes in standard
// base64: 16 characters ending in "=", as AWS's look). Both are cut from
// one string, one allocation per request. math/rand/v2's global generator
// is per-thread ChaCha8: fast, no lock, and unpredictable enough for ids
// that are not secrets.
func newRequestIDs() (requestID, extendedID string) {
	var b [32]byte
	for i := 0; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rand.Uint64())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36 + 16]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	base64.StdEncoding.Encode(s[36:], b[16:27])
	ids := string(s[:])
	return ids[:36], ids[36:]
}
