package respcache

import (
	"net/http"
	"net/url"
	"testing"
)

// req builds the request values of an invocation.
func req(path map[string]string, rawQuery string, header http.Header) RequestValues {
	q, _ := url.ParseQuery(rawQuery)
	return RequestValues{PathParams: path, QueryParams: q, Headers: header}
}

func builder(t *testing.T, sc KeyScope, params ...string) *KeyBuilder {
	t.Helper()
	kb, err := NewKeyBuilder(sc, params)
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

var getPet = KeyScope{Partition: "dep1", HTTPMethod: "GET", ResourcePath: "/pets/{petId}"}

func TestCacheKeys(t *testing.T) {
	tests := []struct {
		name   string
		a, b   *KeyBuilder
		ra, rb RequestValues
		same   bool
	}{
		{"same request, same key",
			builder(t, getPet, "method.request.querystring.type"), nil,
			req(nil, "type=admin", nil), req(nil, "type=admin", nil), true},
		{"undeclared query parameters do not vary the key (AWS's department example)",
			builder(t, getPet, "method.request.querystring.type"), nil,
			req(nil, "type=admin&department=A", nil), req(nil, "type=admin&department=B", nil), true},
		{"declared query parameters do",
			builder(t, getPet, "method.request.querystring.type"), nil,
			req(nil, "type=admin", nil), req(nil, "type=regular", nil), false},
		{"undeclared path parameters do not vary the key",
			builder(t, getPet), nil,
			req(map[string]string{"petId": "1"}, "", nil), req(map[string]string{"petId": "2"}, "", nil), true},
		{"declared path parameters do",
			builder(t, getPet, "method.request.path.petId"), nil,
			req(map[string]string{"petId": "1"}, "", nil), req(map[string]string{"petId": "2"}, "", nil), false},
		{"declared headers match case-insensitively",
			builder(t, getPet, "method.request.header.x-tenant"), nil,
			req(nil, "", http.Header{"X-Tenant": {"acme"}}), req(nil, "", http.Header{"X-Tenant": {"globex"}}), false},
		{"undeclared headers do not vary the key",
			builder(t, getPet, "method.request.header.X-Tenant"), nil,
			req(nil, "", http.Header{"X-Tenant": {"acme"}, "Accept": {"a"}}), req(nil, "", http.Header{"X-Tenant": {"acme"}, "Accept": {"b"}}), true},
		{"a single-valued parameter keys on its last value",
			builder(t, getPet, "method.request.querystring.type"), nil,
			req(nil, "type=a&type=b", nil), req(nil, "type=b", nil), true},
		{"a multivalue parameter keys on every value",
			builder(t, getPet, "method.request.multivaluequerystring.type"), nil,
			req(nil, "type=a&type=b", nil), req(nil, "type=b", nil), false},
		{"absent and empty differ",
			builder(t, getPet, "method.request.querystring.type"), nil,
			req(nil, "", nil), req(nil, "type=", nil), false},
		{"values cannot forge another parameter's boundary",
			builder(t, getPet, "method.request.querystring.a", "method.request.querystring.b"), nil,
			req(nil, "a=x%01%01y&b=", nil), req(nil, "a=x&b=y", nil), false},
		{"methods differ",
			builder(t, getPet), builder(t, KeyScope{Partition: "dep1", HTTPMethod: "HEAD", ResourcePath: "/pets/{petId}"}),
			req(nil, "", nil), req(nil, "", nil), false},
		{"resources differ",
			builder(t, getPet), builder(t, KeyScope{Partition: "dep1", HTTPMethod: "GET", ResourcePath: "/owners/{petId}"}),
			req(nil, "", nil), req(nil, "", nil), false},
		{"deployments differ",
			builder(t, getPet), builder(t, KeyScope{Partition: "dep2", HTTPMethod: "GET", ResourcePath: "/pets/{petId}"}),
			req(nil, "", nil), req(nil, "", nil), false},
		{"a shared cacheNamespace shares entries across resources",
			builder(t, KeyScope{Partition: "dep1", HTTPMethod: "GET", ResourcePath: "/pets/{id}", CacheNamespace: "animals"}, "method.request.path.id"),
			builder(t, KeyScope{Partition: "dep1", HTTPMethod: "GET", ResourcePath: "/animals/{id}", CacheNamespace: "animals"}, "method.request.path.id"),
			req(map[string]string{"id": "7"}, "", nil), req(map[string]string{"id": "7"}, "", nil), true},
		{"different cacheNamespaces do not",
			builder(t, KeyScope{Partition: "dep1", HTTPMethod: "GET", ResourcePath: "/pets", CacheNamespace: "r1"}),
			builder(t, KeyScope{Partition: "dep1", HTTPMethod: "GET", ResourcePath: "/pets", CacheNamespace: "r2"}),
			req(nil, "", nil), req(nil, "", nil), false},
		{"parameter names are part of the key",
			builder(t, KeyScope{HTTPMethod: "GET", CacheNamespace: "n"}, "method.request.querystring.a"),
			builder(t, KeyScope{HTTPMethod: "GET", CacheNamespace: "n"}, "method.request.querystring.b"),
			req(nil, "a=1&b=1", nil), req(nil, "a=1&b=1", nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.b
			if b == nil {
				b = tt.a
			}
			ka, kb := tt.a.Key(tt.ra), b.Key(tt.rb)
			if (ka == kb) != tt.same {
				t.Fatalf("keys %q and %q: same = %v, want %v", ka, kb, ka == kb, tt.same)
			}
			if ka[0] != keyVersion {
				t.Fatalf("key does not start with keyVersion: %q", ka)
			}
		})
	}
}

func TestNewKeyBuilderRejectsUnknownParameters(t *testing.T) {
	for _, p := range []string{"integration.request.header.x", "method.request.body", "method.request.path.", "method.request.cookie.x", "type"} {
		if _, err := NewKeyBuilder(getPet, []string{p}); err == nil {
			t.Errorf("NewKeyBuilder accepted %q", p)
		}
	}
}

func TestKeyAllocatesOnlyTheKey(t *testing.T) {
	kb := builder(t, getPet, "method.request.path.petId", "method.request.querystring.type", "method.request.header.X-Tenant")
	v := req(map[string]string{"petId": "42"}, "type=admin", http.Header{"X-Tenant": {"acme"}})
	// The data plane passes its request state as a pointer; a struct value
	// would be boxed into the interface on each call.
	vp := &v
	if n := testing.AllocsPerRun(100, func() { _ = kb.Key(vp) }); n > 1 {
		t.Fatalf("Key allocates %v times per call, want 1 (the string)", n)
	}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = kb.AppendKey(buf[:0], vp) }); n != 0 {
		t.Fatalf("AppendKey into a large enough buffer allocates %v times", n)
	}
}
