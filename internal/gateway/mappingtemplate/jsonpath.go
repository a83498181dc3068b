package mappingtemplate

import (
	"fmt"
	"strings"

	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"

	"github.com/stagecoach/stagecoach/internal/vtl"
)

// JSONPath for $input.path, $input.json and integration.response.body.x
// mappings. Expressions are parsed by github.com/theory/jsonpath (RFC
// 9535); API Gateway's semantics go on top:
//
//   - a singular query ($, $.a.b, $.a[0], $['k']) yields the value itself,
//     or null when it is not there;
//   - any other query ($..x, $.a[*], filters, slices) yields the list of
//     every match, in document order;
//   - names API Gateway's (Jayway) dialect accepts in dot notation but RFC
//     9535 does not ($.first-name) are rewritten to bracket notation.
//
// A singular query is walked on the template's own (ordered) values; the
// others run on a plain copy of the document and are mapped back by their
// normalized paths, so results keep the body's key order.

// Path is a compiled JSONPath expression.
type Path struct {
	p        *jsonpath.Path
	singular []spec.Selector // Name and Index selectors; nil if not singular
	isRoot   bool
}

// CompilePath parses a JSONPath expression.
func CompilePath(expr string) (*Path, error) {
	p, err := jsonpath.Parse(expr)
	if err != nil {
		if alt, ok := bracketNames(expr); ok {
			p, err = jsonpath.Parse(alt)
		}
		if err != nil {
			return nil, fmt.Errorf("invalid JSONPath %q: %v", expr, err)
		}
	}
	c := &Path{p: p}
	q := p.Query()
	if q.Singular() != nil {
		c.singular = []spec.Selector{}
		for _, seg := range q.Segments() {
			c.singular = append(c.singular, seg.Selectors()...)
		}
		c.isRoot = len(c.singular) == 0
	}
	return c, nil
}

// bracketNames rewrites ".name" segments whose name RFC 9535 does not
// allow in dot notation into "['name']".
func bracketNames(expr string) (string, bool) {
	if !strings.HasPrefix(expr, "$") {
		return "", false
	}
	var b strings.Builder
	b.WriteByte('$')
	changed := false
	i := 1
	for i < len(expr) {
		c := expr[i]
		if c == '[' {
			// copy the bracket segment verbatim (quotes may hold ']').
			j := i + 1
			var quote byte
			for j < len(expr) {
				if quote != 0 {
					if expr[j] == '\\' {
						j++
					} else if expr[j] == quote {
						quote = 0
					}
				} else if expr[j] == '\'' || expr[j] == '"' {
					quote = expr[j]
				} else if expr[j] == ']' {
					break
				}
				j++
			}
			if j >= len(expr) {
				return "", false
			}
			b.WriteString(expr[i : j+1])
			i = j + 1
			continue
		}
		if c != '.' {
			return "", false
		}
		desc := strings.HasPrefix(expr[i:], "..")
		if desc {
			i += 2
		} else {
			i++
		}
		j := i
		for j < len(expr) && expr[j] != '.' && expr[j] != '[' {
			j++
		}
		name := expr[i:j]
		if desc {
			b.WriteString("..")
		}
		switch {
		case name == "" && desc: // "..[...]"
		case name == "":
			return "", false
		case name == "*":
			if !desc {
				b.WriteByte('.')
			}
			b.WriteByte('*')
		default:
			b.WriteString("['" + strings.ReplaceAll(name, "'", `\'`) + "']")
			changed = true
		}
		i = j
	}
	return b.String(), changed
}

// pathAt returns the compiled path for a call site (compiled on the
// site's first use, so a literal path is parsed once per template).
func pathAt(site *vtl.CallSite, expr string) (*Path, error) {
	if v, ok := site.Load(expr); ok {
		c := v.(*compiledPathEntry)
		return c.p, c.err
	}
	p, err := CompilePath(expr)
	site.Store(expr, &compiledPathEntry{p: p, err: err})
	return p, err
}

type compiledPathEntry struct {
	p   *Path
	err error
}

// Select evaluates the path against a document of template values (as
// parseJSON returns). plain returns the document as plain Go values for
// non-singular queries (called at most once per document by callers that
// cache it).
func (p *Path) Select(doc any, plain func() any) any {
	if p.singular != nil {
		v := doc
		for _, sel := range p.singular {
			if v = step(v, sel); v == nil {
				return nil
			}
		}
		return v
	}
	nodes := p.p.SelectLocated(plain())
	out := &vtl.List{JSON: true, Items: make([]any, 0, len(nodes))}
	for _, n := range nodes {
		v := doc
		for _, sel := range n.Path {
			if v = step(v, sel); v == nil {
				break
			}
		}
		out.Items = append(out.Items, v)
	}
	return out
}

func step(v any, sel any) any {
	switch s := sel.(type) {
	case spec.Name:
		if m, ok := v.(*vtl.Map); ok {
			r, _ := m.Get(string(s))
			return r
		}
	case spec.Index:
		if l, ok := v.(*vtl.List); ok {
			i := int(s)
			if i < 0 {
				i += len(l.Items)
			}
			if i >= 0 && i < len(l.Items) {
				return l.Items[i]
			}
		}
	}
	return nil
}

// plainCopy converts template values into the map[string]any / []any
// form the JSONPath library walks.
func plainCopy(v any) any {
	switch x := v.(type) {
	case *vtl.Map:
		m := make(map[string]any, x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			m[k] = plainCopy(e)
		}
		return m
	case *vtl.List:
		l := make([]any, len(x.Items))
		for i, e := range x.Items {
			l[i] = plainCopy(e)
		}
		return l
	}
	return v
}

// Value evaluates the path against a JSON body for parameter mappings
// (method.request.body.x, integration.response.body.x): a string result
// is itself, anything else its JSON text; ok is false when the body is
// not JSON or the path selects nothing.
func (p *Path) Value(body []byte) (string, bool) {
	doc, err := parseJSON(body)
	if err != nil {
		return "", false
	}
	v := p.Select(doc, func() any { return plainCopy(doc) })
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	}
	return string(vtl.AppendJSON(nil, v)), true
}
