// Package mappingtemplate evaluates API Gateway mapping templates: the
// Velocity engine (internal/vtl) with the variables API Gateway gives a
// template — $input, $context, $stageVariables and $util — and the
// $context.requestOverride / responseOverride results
// (mapping-templates.md §1–5).
//
// Templates are compiled once (when a stage snapshot is compiled) and
// rendered per request. A render reads the request through Input and
// allocates only what the template asks for: the body is parsed as JSON
// on the first $input.path/$input.json, $input.params() is built on
// first use, $context values are looked up by name.
package mappingtemplate

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/stagecoach/stagecoach/internal/vtl"
)

// Limits are API Gateway's: #foreach stops after 1000 iterations
// (developer guide, quotas); the output may not exceed the 10 MB payload
// limit; the step budget cuts off runaway templates (nested loops,
// recursion) long before they could hold a request.
var Limits = vtl.Limits{
	MaxSteps:  2_000_000,
	MaxOutput: 10 << 20,
	MaxLoops:  1000,
	MaxDepth:  20,
}

// Template is a compiled mapping template.
type Template struct {
	t *vtl.Template
}

// Compile parses a mapping template.
func Compile(src string) (*Template, error) {
	t, err := vtl.Compile(src)
	if err != nil {
		return nil, err
	}
	return &Template{t: t}, nil
}

// Static reports whether the template is plain text: its output is its
// source.
func (t *Template) Static() bool { return t.t.Static() }

// Source returns the template text.
func (t *Template) Source() string { return t.t.Source() }

// Param is a named value.
type Param struct {
	Name, Value string
}

// Input is what a template reads. Fields may be left empty; lookups of
// what is missing yield empty values.
type Input struct {
	// Body is $input.body: the request body for request templates, the
	// integration response body for response templates.
	Body []byte
	// The method request's parameters: path parameters, query string and
	// headers ($input.params()).
	Path   []Param
	Query  url.Values
	Header http.Header
	// StageVariables is $stageVariables.
	StageVariables map[string]string
	// Context resolves $context.<name> (dotted: "identity.sourceIp").
	// Nil: every $context variable is null.
	Context ContextResolver
}

// ContextResolver resolves $context variables; ok is false when there is
// no such variable (or it has no value).
type ContextResolver interface {
	ContextValue(name string) (v any, ok bool)
}

// ContextFunc is a ContextResolver function.
type ContextFunc func(name string) (any, bool)

// ContextValue calls f.
func (f ContextFunc) ContextValue(name string) (any, bool) { return f(name) }

// Overrides are what a template set in $context.requestOverride (request
// templates) or $context.responseOverride (response templates). Each
// list keeps the order the template set them in.
type Overrides struct {
	Status      int // responseOverride.status; 0 when not set
	Header      []Param
	Path        []Param
	QueryString []Param
}

// Empty reports whether nothing was overridden.
func (o *Overrides) Empty() bool {
	return o == nil || o.Status == 0 && len(o.Header) == 0 && len(o.Path) == 0 && len(o.QueryString) == 0
}

// Result is a rendered template.
type Result struct {
	Body []byte
	// RequestOverride and ResponseOverride are nil unless the template
	// set one.
	RequestOverride  *Overrides
	ResponseOverride *Overrides
}

// ErrOverriddenTwice is returned when a template sets the same override
// twice: API Gateway answers 5XX ("overrides are final").
var ErrOverriddenTwice = errors.New("an override was set twice")

// Render evaluates the template against in, appending the output to dst.
// A failure (a method that threw, the evaluation budget exhausted, an
// override set twice) is an error; API Gateway answers 500 then.
func (t *Template) Render(dst []byte, in *Input) (Result, error) {
	if t.t.Static() {
		out, err := t.t.Execute(dst, nil, Limits)
		return Result{Body: out}, err
	}
	r := renderPool.Get().(*render)
	defer r.release()
	r.in = in
	if dst == nil {
		// One allocation for most outputs instead of a doubling series.
		dst = make([]byte, 0, len(t.t.Source())+len(in.Body)+64)
	}
	out, err := t.t.Execute(dst, r.global, Limits)
	res := Result{Body: out}
	if r.reqOv != nil && !r.reqOv.empty() {
		res.RequestOverride = r.reqOv.result()
	}
	if r.respOv != nil && !r.respOv.empty() {
		res.ResponseOverride = r.respOv.result()
	}
	return res, err
}

// render is one template evaluation's state: the parsed body, the
// params map and the override objects, made on first use.
type render struct {
	in      *Input
	input   inputObj
	context contextObj

	parsed    bool
	doc       any // parsed body
	plain     any // doc as plain Go values, for non-singular JSONPath
	hasPlain  bool
	params    *vtl.Map
	reqOv     *overrideObj
	respOv    *overrideObj
	stageVars stageVarsObj
}

var renderPool = sync.Pool{New: func() any {
	r := new(render)
	r.input.r = r
	r.context.r = r
	return r
}}

func (r *render) release() {
	*r = render{input: r.input, context: r.context}
	renderPool.Put(r)
}

func (r *render) global(name string) (any, bool) {
	switch name {
	case "input":
		return &r.input, true
	case "context":
		return &r.context, true
	case "util":
		return util, true
	case "stageVariables":
		r.stageVars.m = r.in.StageVariables
		return &r.stageVars, true
	}
	return nil, false
}

// body is $input.body. An empty body reads as "{}", as on API Gateway
// (LocalStack verified this against AWS: localstack/localstack#12413).
func (r *render) body() []byte {
	if len(r.in.Body) == 0 {
		return emptyObject
	}
	return r.in.Body
}

var emptyObject = []byte("{}")

// document is the body parsed as JSON; a body that is not JSON is its
// own text (what $input.path('$') returns for a form post).
func (r *render) document() any {
	if !r.parsed {
		r.parsed = true
		doc, err := parseJSON(r.body())
		if err != nil {
			doc = string(r.in.Body)
		}
		r.doc = doc
	}
	return r.doc
}

func (r *render) plainDocument() any {
	if !r.hasPlain {
		r.hasPlain = true
		r.plain = plainCopy(r.document())
	}
	return r.plain
}

// inputObj is $input.
type inputObj struct{ r *render }

func (o *inputObj) Property(name string) (any, bool) {
	switch name {
	case "body":
		return string(o.r.body()), true
	}
	return nil, false
}

func (o *inputObj) Call(site *vtl.CallSite, name string, args []any) (any, bool, error) {
	r := o.r
	switch name {
	case "getBody":
		return string(r.body()), true, nil
	case "json", "path":
		if len(args) != 1 {
			return nil, false, nil
		}
		expr, ok := args[0].(string)
		if !ok {
			return nil, true, nil
		}
		p, err := pathAt(site, expr)
		if err != nil {
			return nil, true, err
		}
		v := p.Select(r.document(), r.plainDocument)
		if name == "path" || v == nil {
			return v, true, nil
		}
		return string(vtl.AppendJSON(nil, v)), true, nil
	case "params":
		switch len(args) {
		case 0:
			return r.allParams(), true, nil
		case 1:
			return r.param(vtl.ToString(args[0])), true, nil
		}
	}
	return nil, false, nil
}

// param is $input.params(name): the path parameter, else the query
// string parameter, else the header of that name; "" when none.
func (r *render) param(name string) string {
	for _, p := range r.in.Path {
		if p.Name == name {
			return p.Value
		}
	}
	if vs := r.in.Query[name]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	if vs := r.in.Header.Values(name); len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

// allParams is $input.params(): {path, querystring, header}, each a map
// of single values (the last of repeated ones).
func (r *render) allParams() *vtl.Map {
	if r.params != nil {
		return r.params
	}
	path := vtl.NewMap(len(r.in.Path))
	for _, p := range r.in.Path {
		path.Put(p.Name, p.Value)
	}
	query := vtl.NewMap(len(r.in.Query))
	for _, k := range sortedKeys(r.in.Query) {
		vs := r.in.Query[k]
		query.Put(k, vs[len(vs)-1])
	}
	header := vtl.NewMap(len(r.in.Header))
	for _, k := range sortedKeys(r.in.Header) {
		vs := r.in.Header[k]
		if len(vs) > 0 {
			header.Put(k, vs[len(vs)-1])
		}
	}
	m := vtl.NewMap(3)
	m.Put("path", path)
	m.Put("querystring", query)
	m.Put("header", header)
	r.params = m
	return m
}

// stageVarsObj is $stageVariables: read-only, so the stage's map is
// shared by every request without copying.
type stageVarsObj struct{ m map[string]string }

func (o *stageVarsObj) Property(name string) (any, bool) {
	v, ok := o.m[name]
	return v, ok
}

func (o *stageVarsObj) Call(_ *vtl.CallSite, name string, args []any) (any, bool, error) {
	switch name {
	case "get":
		if len(args) == 1 {
			v, ok := o.m[vtl.ToString(args[0])]
			if !ok {
				return nil, true, nil
			}
			return v, true, nil
		}
	case "containsKey":
		if len(args) == 1 {
			_, ok := o.m[vtl.ToString(args[0])]
			return ok, true, nil
		}
	case "keySet":
		keys := sortedKeys(o.m)
		l := &vtl.List{Items: make([]any, len(keys))}
		for i, k := range keys {
			l.Items[i] = k
		}
		return l, true, nil
	case "size":
		return int64(len(o.m)), true, nil
	case "isEmpty":
		return len(o.m) == 0, true, nil
	}
	return nil, false, nil
}

func (o *stageVarsObj) String() string {
	return vtl.ToString(vtl.Normalize(o.m))
}

// contextObj is $context, or one of its branches ($context.identity).
type contextObj struct {
	r      *render
	prefix string
}

// contextBranches are the $context names that have members.
var contextBranches = map[string]bool{
	"identity": true, "identity.clientCert": true, "identity.clientCert.validity": true,
	"authorizer": true, "authorizer.claims": true, "error": true, "integration": true,
	"authorize": true, "authenticate": true, "waf": true, "customDomain": true,
}

func (o *contextObj) Property(name string) (any, bool) {
	full := o.prefix + name
	switch full {
	case "requestOverride":
		if o.r.reqOv == nil {
			o.r.reqOv = newOverrides(false)
		}
		return o.r.reqOv, true
	case "responseOverride":
		if o.r.respOv == nil {
			o.r.respOv = newOverrides(true)
		}
		return o.r.respOv, true
	}
	if c := o.r.in.Context; c != nil {
		if v, ok := c.ContextValue(full); ok {
			return v, true
		}
	}
	if contextBranches[full] {
		return &contextObj{r: o.r, prefix: full + "."}, true
	}
	return nil, false
}

func (o *contextObj) Call(_ *vtl.CallSite, name string, args []any) (any, bool, error) {
	if name == "get" && len(args) == 1 {
		v, _ := o.Property(vtl.ToString(args[0]))
		return v, true, nil
	}
	return nil, false, nil
}

// overrideObj is $context.requestOverride or responseOverride: maps
// (header, path, querystring) whose entries may each be set once, and
// for responses the status.
type overrideObj struct {
	response bool
	status   any
	maps     [3]*overrideMap // header, path, querystring
}

var overrideMapNames = [3]string{"header", "path", "querystring"}

func newOverrides(response bool) *overrideObj { return &overrideObj{response: response} }

func (o *overrideObj) Property(name string) (any, bool) {
	if o.response && name == "status" {
		return o.status, o.status != nil
	}
	for i, n := range overrideMapNames {
		if n == name && (!o.response || i == 0) {
			if o.maps[i] == nil {
				o.maps[i] = &overrideMap{}
			}
			return o.maps[i], true
		}
	}
	return nil, false
}

func (o *overrideObj) Call(*vtl.CallSite, string, []any) (any, bool, error) { return nil, false, nil }

func (o *overrideObj) SetProperty(name string, v any) error {
	if o.response && name == "status" {
		if o.status != nil {
			return ErrOverriddenTwice
		}
		o.status = v
		return nil
	}
	return nil
}

func (o *overrideObj) empty() bool {
	if o.status != nil {
		return false
	}
	for _, m := range o.maps {
		if m != nil && len(m.entries) > 0 {
			return false
		}
	}
	return true
}

func (o *overrideObj) result() *Overrides {
	out := &Overrides{}
	if o.status != nil {
		// A status that is not an HTTP status is ignored (LocalStack
		// observed this against AWS).
		if n, err := strconv.Atoi(vtl.ToString(o.status)); err == nil && n >= 100 && n <= 599 {
			out.Status = n
		}
	}
	if m := o.maps[0]; m != nil {
		out.Header = m.entries
	}
	if m := o.maps[1]; m != nil {
		out.Path = m.entries
	}
	if m := o.maps[2]; m != nil {
		out.QueryString = m.entries
	}
	return out
}

// overrideMap is one override family; each name may be set once.
type overrideMap struct {
	entries []Param
}

func (m *overrideMap) Property(name string) (any, bool) {
	for _, e := range m.entries {
		if e.Name == name {
			return e.Value, true
		}
	}
	return nil, false
}

func (m *overrideMap) Call(_ *vtl.CallSite, name string, args []any) (any, bool, error) {
	switch name {
	case "get":
		if len(args) == 1 {
			v, _ := m.Property(vtl.ToString(args[0]))
			return v, true, nil
		}
	case "put":
		if len(args) == 2 {
			return nil, true, m.SetProperty(vtl.ToString(args[0]), args[1])
		}
	case "containsKey":
		if len(args) == 1 {
			_, ok := m.Property(vtl.ToString(args[0]))
			return ok, true, nil
		}
	}
	return nil, false, nil
}

func (m *overrideMap) SetProperty(name string, v any) error {
	if _, ok := m.Property(name); ok {
		return ErrOverriddenTwice
	}
	m.entries = append(m.entries, Param{Name: name, Value: vtl.ToString(v)})
	return nil
}

func (m *overrideMap) String() string {
	mm := vtl.NewMap(len(m.entries))
	for _, e := range m.entries {
		mm.Put(e.Name, e.Value)
	}
	return vtl.ToString(mm)
}
