package gateway

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
	"unsafe"

	"github.com/stagecoach/stagecoach/internal/gateway/mappingtemplate"
	"github.com/stagecoach/stagecoach/internal/telemetry"
	"github.com/stagecoach/stagecoach/internal/telemetry/tracing"
)

// invocation is one request on its way through a method's pipeline. It is
// pooled: nothing may keep a pointer to it after the pipeline returns.
type invocation struct {
	w http.ResponseWriter
	r *http.Request

	variant *variant
	method  *method
	path    string // escaped request path after the stage, "/" for the root; set once the stage is found
	params  []pathParam

	// ids holds this request's x-amzn-RequestId (a UUID, ids[:36]) and
	// x-amz-apigw-id (ids[36:]) as text, rendered without allocating;
	// idStrings turns them into strings only when something keeps them
	// (response header map, logs, $context, Lambda events), once.
	ids    [idsLen]byte
	idVals *idValues
	start  time.Time
	bufs   *invocationBuffers // kept across uses, never cleared

	proxyPlan *httpProxyPlan // set by HTTP_PROXY for its Rewrite hook

	// query is the request's query string, parsed on first use by
	// queryValues: cache keys, parameter mappings and Lambda events may
	// each need it, and parsing allocates.
	query url.Values

	// What the stage settings did to this request, for logs and metrics:
	// canary: served by the stage's canary deployment (set once the
	// variant is picked); throttled: answered 429 by a throttle level
	// (throttling.go); cache: hit, miss, or not applicable (caching.go).
	canary    bool
	throttled bool
	cache     cacheResult

	obs observation // what telemetry records of this request (telemetry.go)

	// Non-proxy integrations: the method request body (for
	// method.request.body mappings) and the request template's
	// $context.requestOverride.path values (templates.go).
	reqBody      []byte
	pathOverride []mappingtemplate.Param
	tplInput     mappingtemplate.Input   // what templates read (templates.go)
	ctxEvent     *telemetry.RequestEvent // $context for templates, made on first use

	// auth is what the method's authorization established about the
	// caller; nil for NONE methods (authcontext.go).
	auth *authContext
	// apiKey is what the API key step found (apikeys.go).
	apiKey apiKeyResult

	// Tracing (tracing.go): the request's trace when its stage traces,
	// and the context of its current span when it is exported.
	trace   tracing.Context
	traced  bool
	spanCtx context.Context

	paramBuf [4]pathParam
}

// invocationBuffers are an invocation's scratch space. They hold no
// pointers and every use overwrites what it reads, so they stay out of
// the reset between requests.
type invocationBuffers struct {
	scratch [512]byte // prepared response header blocks (prepared.go)
	keyBuf  [128]byte // the cache key of this request (caching.go)
	authBuf [256]byte // the authorizer cache key (authorizer.go)
}

// queryValues returns the parsed query string, parsing it once per
// request. Callers must not modify the result.
func (inv *invocation) queryValues() url.Values {
	if inv.query == nil {
		inv.query = inv.r.URL.Query()
	}
	return inv.query
}

var invocationPool = sync.Pool{New: func() any { return &invocation{bufs: new(invocationBuffers)} }}

func getInvocation(w http.ResponseWriter, r *http.Request) *invocation {
	inv := invocationPool.Get().(*invocation)
	inv.r = r
	inv.obs.rw.ResponseWriter, inv.obs.rw.inv = w, inv
	inv.w = &inv.obs.rw
	newRequestIDs(&inv.ids)
	inv.start = time.Now()
	return inv
}

func putInvocation(inv *invocation) {
	bufs := inv.bufs
	*inv = invocation{bufs: bufs}
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

// idsLen is the length of the two ids' text: a UUID and 16 base64
// characters.
const idsLen = 36 + 16

// newRequestIDs renders a fresh x-amzn-RequestId (a random version-4
// UUID, AWS's shape) and x-amz-apigw-id (11 random bytes in standard
// base64: 16 characters ending in "=", as AWS's look) into dst, without
// allocating. math/rand/v2's global generator is per-thread ChaCha8:
// fast, no lock, and unpredictable enough for ids that are not secrets.
func newRequestIDs(dst *[idsLen]byte) {
	var b [32]byte
	for i := 0; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rand.Uint64())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := dst[:]
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
}

// idValues is the request ids as strings, in one allocation: the text and
// the two header values that point into it (what setIDHeaders puts in a
// header map).
type idValues struct {
	vals [2]string
	text [idsLen]byte
}

// idStrings returns the request ids as strings, made on first use. They
// outlive the request (header maps, logs), so they are not views of the
// pooled invocation: the block's text is written once, here, and never
// again, so strings over it are as immutable as any.
func (inv *invocation) idStrings() (requestID, extendedID string) {
	if inv.idVals == nil {
		b := new(idValues)
		copy(b.text[:], inv.ids[:])
		s := unsafe.String(&b.text[0], idsLen)
		b.vals = [2]string{s[:36], s[36:]}
		inv.idVals = b
	}
	return inv.idVals.vals[0], inv.idVals.vals[1]
}

// requestID is x-amzn-RequestId, $context.requestId.
func (inv *invocation) requestID() string {
	id, _ := inv.idStrings()
	return id
}

// extendedID is x-amz-apigw-id, $context.extendedRequestId.
func (inv *invocation) extendedID() string {
	_, id := inv.idStrings()
	return id
}
