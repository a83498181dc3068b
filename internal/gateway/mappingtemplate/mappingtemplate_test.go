package mappingtemplate

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

func renderWith(t *testing.T, src string, in *Input) string {
	t.Helper()
	tm, err := Compile(src)
	if err != nil {
		t.Fatalf("Compile(%q): %v", src, err)
	}
	res, err := tm.Render(nil, in)
	if err != nil {
		t.Fatalf("Render(%q): %v", src, err)
	}
	return string(res.Body)
}

func TestInputAndJSONPath(t *testing.T) {
	body := `{"store": {"book": [{"title": "A", "price": 8.95, "first-name": "x"}, {"title": "B", "price": 12.5}], "open": true}, "n": 10, "s": "str", "z": null}`
	cases := []struct{ src, body, want string }{
		{`$input.body`, body, body},
		{`$input.json('$.n')`, body, `10`},
		{`$input.json('$.s')`, body, `"str"`},
		{`$input.path('$.s')`, body, `str`},
		{`$input.json('$.store.book[0]')`, body, `{"title":"A","price":8.95,"first-name":"x"}`},
		{`$input.path('$.store.book[0]')`, body, `{title=A, price=8.95, first-name=x}`},
		{`$input.path('$.store.book')`, body, `[{"title":"A","price":8.95,"first-name":"x"},{"title":"B","price":12.5}]`},
		{`$input.path('$.store.book').size()`, body, `2`},
		{`$input.path('$.store.book[-1].title')`, body, `B`},
		{`$input.path('$.store.book').get(1).title`, body, `B`},
		{`$input.json('$.store.book[*].title')`, body, `["A","B"]`},
		{`$input.json('$..price')`, body, `[8.95,12.5]`},
		{`$input.json('$.store.book[?(@.price < 10)].title')`, body, `["A"]`},
		{`$input.json('$.store.book[?@.price > 10].title')`, body, `["B"]`},
		{`$input.path('$.store.book[0].first-name')`, body, `x`},
		{`$input.path("$['store']['open']")`, body, `true`},
		{`[$input.path('$.missing')][$input.json('$.missing')]`, body, `[][]`},
		{`#if($input.path('$.z'))yes#else no#end`, body, ` no`},
		{`#foreach($b in $input.path('$.store.book'))$b.title#end`, body, `AB`},
		{`#foreach($k in $input.path('$').keySet())$k,#end`, body, `store,n,s,z,`},
		{`#set($n = $input.path('$.n') + 1)$n`, body, `11`},
		// An empty body reads as {} (AWS, localstack#12413).
		{`$input.body|$input.json('$')|$input.path('$.a')|`, "", `{}|{}||`},
		// A body that is not JSON: $input.path('$') is its text.
		{`$input.path('$')|$input.path('$.a')|`, "a=1&b=2", `a=1&b=2||`},
		{`#foreach($kv in $input.path('$').split('&'))$kv.split('=')[1]#end`, "a=1&b=2", `12`},
	}
	for _, c := range cases {
		if got := renderWith(t, c.src, &Input{Body: []byte(c.body)}); got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}

func TestBadJSONPathFails(t *testing.T) {
	tm, err := Compile(`$input.json('$[?')`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tm.Render(nil, &Input{Body: []byte(`{}`)}); err == nil {
		t.Fatal("an invalid JSONPath rendered")
	}
}

func TestParams(t *testing.T) {
	in := &Input{
		Path:   []Param{{"id", "p1"}},
		Query:  url.Values{"id": {"q1"}, "q": {"a", "b"}},
		Header: http.Header{"Id": {"h1"}, "X-Only": {"h"}},
	}
	cases := []struct{ src, want string }{
		{`$input.params('id')`, "p1"},
		{`$input.params('q')`, "b"},
		{`$input.params('x-only')`, "h"},
		{`[$input.params('none')]`, "[]"},
		{`$input.params().path`, "{id=p1}"},
		{`$input.params().querystring`, "{id=q1, q=b}"},
		{`$input.params().header.get('X-Only')`, "h"},
		{`$input.params().keySet()`, "[path, querystring, header]"},
	}
	for _, c := range cases {
		if got := renderWith(t, c.src, in); got != c.want {
			t.Errorf("%s = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestStageVariablesAndContext(t *testing.T) {
	in := &Input{
		StageVariables: map[string]string{"env": "beta", "url": "http://x"},
		Context: ContextFunc(func(name string) (any, bool) {
			switch name {
			case "stage":
				return "prod", true
			case "identity.sourceIp":
				return "10.0.0.1", true
			case "requestTimeEpoch":
				return int64(1700000000000), true
			}
			return nil, false
		}),
	}
	cases := []struct{ src, want string }{
		{`$stageVariables.env`, "beta"},
		{`$stageVariables['env']`, "beta"},
		{`${stageVariables['url']}`, "http://x"},
		{`[$stageVariables.missing]`, "[]"},
		{`$stageVariables.keySet()`, "[env, url]"},
		{`$context.stage $context.identity.sourceIp`, "prod 10.0.0.1"},
		{`#if($context.requestTimeEpoch > 0)ok#end`, "ok"},
		{`[$context.authorizer.claims.sub]`, "[]"},
		{`[$context.nothing]`, "[]"},
	}
	for _, c := range cases {
		if got := renderWith(t, c.src, in); got != c.want {
			t.Errorf("%s = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestOverrides(t *testing.T) {
	tm, _ := Compile(`#set($context.requestOverride.querystring.q = "1")#set($context.requestOverride.path.id = 7)$context.requestOverride.querystring.q`)
	res, err := tm.Render(nil, &Input{})
	if err != nil {
		t.Fatal(err)
	}
	ro := res.RequestOverride
	if string(res.Body) != "1" || ro == nil || len(ro.QueryString) != 1 || ro.Path[0] != (Param{"id", "7"}) || res.ResponseOverride != nil {
		t.Fatalf("body %q overrides %+v", res.Body, ro)
	}

	tm, _ = Compile(`#set($context.responseOverride.header.X = "a")#set($context.responseOverride.header.X = "b")`)
	if _, err := tm.Render(nil, &Input{}); !errors.Is(err, ErrOverriddenTwice) {
		t.Fatalf("second override: %v, want ErrOverriddenTwice", err)
	}

	tm, _ = Compile(`#set($context.responseOverride.status = "abc")`)
	res, err = tm.Render(nil, &Input{})
	if err != nil || res.ResponseOverride == nil || res.ResponseOverride.Status != 0 {
		t.Fatalf("non-numeric status override: %+v %v (want ignored)", res.ResponseOverride, err)
	}
}

func TestUtil(t *testing.T) {
	cases := []struct{ src, want string }{
		{`$util.urlEncode("a b&c=d/é~*")`, "a+b%26c%3Dd%2F%C3%A9%7E*"},
		{`$util.urlDecode("a+b%26c")`, "a b&c"},
		{`$util.base64Encode("hello")`, "aGVsbG8="},
		{`$util.base64Decode("aGVsbG8=")`, "hello"},
		{`$util.escapeJavaScript("tab	/'x'")`, `tab\t\/\'x\'`},
		{`$util.escapeJavaScript("😀")`, `\uD83D\uDE00`},
		{`#set($o = $util.parseJson('{"a":[1,{"b":"c"}]}'))$o.a[1].b $o.a.size()`, "c 2"},
		{`[$util.escapeJavaScript($nothing)]`, "[]"},
	}
	for _, c := range cases {
		if got := renderWith(t, c.src, &Input{}); got != c.want {
			t.Errorf("%s = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestRenderIsolation(t *testing.T) {
	// A template that mutates what it reads must not leak into the next
	// render.
	tm, _ := Compile(`#set($r = $input.path('$'))#set($d = $r.put("added", 1))$r.size()`)
	for i := 0; i < 3; i++ {
		res, err := tm.Render(nil, &Input{Body: []byte(`{"a":1}`)})
		if err != nil || string(res.Body) != "2" {
			t.Fatalf("render %d: %q %v", i, res.Body, err)
		}
	}
}

// FuzzRender checks that any template over any body renders or fails
// without panicking, with $input.path/json on arbitrary JSONPath text.
func FuzzRender(f *testing.F) {
	f.Add(`$input.json('$')`, `{"a":[1,{"b":"c"}]}`)
	f.Add(`#foreach($x in $input.path('$..b'))$x#end`, `[{"b":1},{"b":[2]}]`)
	f.Add(`$input.path('$.a[?@.b > 1]').size()`, `{"a":[{"b":2}]}`)
	f.Add(`$util.parseJson($input.body).x $util.base64Decode("###")`, `{"x":"\u00e9\ud83d\ude00"}`)
	f.Add(`#set($context.responseOverride.status = $input.path('$.s'))`, `{"s":"abc"}`)
	f.Fuzz(func(t *testing.T, src, body string) {
		tm, err := Compile(src)
		if err != nil {
			return
		}
		tm.Render(nil, &Input{Body: []byte(body), Header: http.Header{}, Query: url.Values{}})
	})
}

// TestConcurrentRender renders one compiled template from many
// goroutines (as one stage snapshot serves concurrent requests): call
// sites compile their JSONPath and regexp once and share them.
func TestConcurrentRender(t *testing.T) {
	tm, err := Compile(`#foreach($p in $input.path('$.pets'))$p.name.replaceAll("[aeiou]", "_")#if($foreach.hasNext),#end#end|$input.params('id')`)
	if err != nil {
		t.Fatal(err)
	}
	const goroutines = 8
	errs := make(chan string, goroutines)
	for g := range goroutines {
		go func() {
			id := strconv.Itoa(g)
			body := []byte(`{"pets":[{"name":"rex"},{"name":"tom` + id + `"}]}`)
			want := "r_x,t_m" + id + "|" + id
			for range 200 {
				res, err := tm.Render(nil, &Input{Body: body, Path: []Param{{"id", id}}})
				if err != nil || string(res.Body) != want {
					errs <- fmt.Sprintf("got %q %v, want %q", res.Body, err, want)
					return
				}
			}
			errs <- ""
		}()
	}
	for range goroutines {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}
