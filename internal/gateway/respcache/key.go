package respcache

import (
	"encoding/binary"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// KeyScope is the fixed part of a method's cache keys.
type KeyScope struct {
	// Partition separates caches that share a Memory but must not share
	// entries. The data plane passes the production deployment id, so a
	// new deployment never serves responses of the previous integration;
	// a canary with useStageCache=true uses the stage's partition (that is
	// what sharing the stage cache means). Empty is a valid partition.
	Partition string
	// HTTPMethod is the method's verb (GET, or ANY for an ANY method).
	HTTPMethod string
	// ResourcePath is the resource's path template, "/pets/{petId}":
	// requests for /pets/1 and /pets/2 share an entry unless the path
	// parameter is a cache key parameter, as in AWS.
	ResourcePath string
	// CacheNamespace is the integration's cacheNamespace. AWS defaults it
	// to the resource id and documents that methods of different resources
	// with the same namespace share cached data, so when it is set it
	// replaces ResourcePath in the key; when empty, ResourcePath is used.
	CacheNamespace string
}

// KeyBuilder builds the cache keys of one method: its KeyScope plus the
// request's values for each of the integration's cacheKeyParameters. It is
// built once per method when a stage's snapshot is built; the per-request
// work is appending the parameter values to a precomputed prefix, without
// fmt or intermediate strings. Keys are binary (length-prefixed fields) so
// that no parameter value can forge another key.
type KeyBuilder struct {
	prefix string
	params []keyParam
}

type keyParam struct {
	kind  paramKind
	name  string // path parameter name, query name, or canonical header name
	multi bool   // multivalue*: every value counts, not only the last
}

type paramKind uint8

const (
	pathParam paramKind = iota + 1
	queryParam
	headerParam
)

// keyVersion is the first byte of every key; see sealedPrefix.
const keyVersion = 0x01

// NewKeyBuilder parses cacheKeyParameters: method.request.path.NAME,
// method.request.querystring.NAME, method.request.header.NAME and the
// multivaluequerystring / multivalueheader forms. Anything else is an
// error; the caller should then not cache the method rather than cache it
// under a key that ignores a declared parameter.
func NewKeyBuilder(sc KeyScope, cacheKeyParameters []string) (*KeyBuilder, error) {
	var p []byte
	p = append(p, keyVersion)
	p = appendField(p, sc.Partition)
	p = appendField(p, sc.HTTPMethod)
	if sc.CacheNamespace != "" {
		p = append(p, 'n')
		p = appendField(p, sc.CacheNamespace)
	} else {
		p = append(p, 'r')
		p = appendField(p, sc.ResourcePath)
	}
	kb := &KeyBuilder{}
	for _, cp := range cacheKeyParameters {
		kp, err := parseKeyParam(cp)
		if err != nil {
			return nil, err
		}
		kb.params = append(kb.params, kp)
		p = appendField(p, cp) // names are part of the key: two namespaces' parameter sets never alias
	}
	kb.prefix = string(p)
	return kb, nil
}

func parseKeyParam(s string) (keyParam, error) {
	rest, ok := strings.CutPrefix(s, "method.request.")
	if ok {
		if kind, name, ok := strings.Cut(rest, "."); ok && name != "" {
			switch kind {
			case "path":
				return keyParam{kind: pathParam, name: name}, nil
			case "querystring":
				return keyParam{kind: queryParam, name: name}, nil
			case "multivaluequerystring":
				return keyParam{kind: queryParam, name: name, multi: true}, nil
			case "header":
				return keyParam{kind: headerParam, name: textproto.CanonicalMIMEHeaderKey(name)}, nil
			case "multivalueheader":
				return keyParam{kind: headerParam, name: textproto.CanonicalMIMEHeaderKey(name), multi: true}, nil
			}
		}
	}
	return keyParam{}, fmt.Errorf("respcache: unsupported cache key parameter %q", s)
}

// Values are the request values a cache key can depend on. The data plane
// can implement it over its own request state; RequestValues adapts the
// standard library's types.
type Values interface {
	// PathParam returns the value bound to a path parameter.
	PathParam(name string) (string, bool)
	// Query returns the values of a query string parameter, in order.
	Query(name string) []string
	// Header returns the values of a header; name is canonical
	// (textproto.CanonicalMIMEHeaderKey).
	Header(name string) []string
}

// RequestValues is Values over a path parameter map, parsed query and
// request header. Pass it as a pointer: a struct value is boxed into the
// interface (one allocation) on every call.
type RequestValues struct {
	PathParams  map[string]string
	QueryParams url.Values
	Headers     http.Header
}

// PathParam implements Values.
func (v RequestValues) PathParam(name string) (string, bool) {
	s, ok := v.PathParams[name]
	return s, ok
}

// Query implements Values.
func (v RequestValues) Query(name string) []string { return v.QueryParams[name] }

// Header implements Values.
func (v RequestValues) Header(name string) []string { return v.Headers[name] }

// AppendKey appends the key for the request values v to dst. A single-valued
// parameter (path, querystring, header) contributes its last value, the one
// API Gateway maps into method.request.*; a multivalue parameter
// contributes all values in order. An absent parameter and an empty one
// give different keys.
func (kb *KeyBuilder) AppendKey(dst []byte, v Values) []byte {
	dst = append(dst, kb.prefix...)
	for _, p := range kb.params {
		var vals []string
		switch p.kind {
		case pathParam:
			if s, ok := v.PathParam(p.name); ok {
				dst = append(dst, 1)
				dst = appendField(dst, s)
			} else {
				dst = append(dst, 0)
			}
			continue
		case queryParam:
			vals = v.Query(p.name)
		case headerParam:
			vals = v.Header(p.name)
		}
		if len(vals) > 1 && !p.multi {
			vals = vals[len(vals)-1:]
		}
		dst = binary.AppendUvarint(dst, uint64(len(vals)))
		for _, s := range vals {
			dst = appendField(dst, s)
		}
	}
	return dst
}

// Key returns the key for the request values v, with one allocation for
// keys up to 256 bytes.
func (kb *KeyBuilder) Key(v Values) string {
	var buf [256]byte
	return string(kb.AppendKey(buf[:0], v))
}

// appendField appends s length-prefixed (uvarint): the field encoding of
// keys and of sealed entries.
func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
