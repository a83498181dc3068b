package modelschema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// Template generates the mapping template skeleton GetModelTemplate
// returns for the model name: a Velocity template that rebuilds a body of
// the model's shape from the request ($input.path('$')), the way AWS's
// generator (and the console's "Generate template") writes it — strings
// quoted, numbers and booleans bare, nested objects inline, arrays as a
// #foreach over $elem with commas by $foreach.hasNext, properties in the
// schema's order. References to other models and to #/definitions are
// followed.
func Template(apiID string, models map[string]*apigw.Model, name string) (string, error) {
	m, ok := models[name]
	if !ok {
		return "", apigw.NotFound("Invalid model name specified: %s", name)
	}
	root, err := parseOrdered(m.Schema)
	if err != nil {
		return "", invalidModel(msgInvalid)
	}
	g := &generator{apiID: apiID, models: models, docs: map[string]*node{name: root}}
	var b strings.Builder
	b.WriteString("#set($inputRoot = $input.path('$'))\n")
	g.value(&b, root, root, "$inputRoot", 0, 0, false)
	b.WriteString("\n")
	return b.String(), nil
}

type generator struct {
	apiID  string
	models map[string]*apigw.Model
	docs   map[string]*node // parsed model schemas by name
}

// maxDepth bounds recursion through self-referencing models.
const maxDepth = 16

// resolve follows $ref (to #/definitions/... of doc, or to another model)
// and returns the schema node to render with the document it belongs to.
func (g *generator) resolve(n, doc *node) (*node, *node) {
	for range maxDepth {
		ref, ok := n.get("$ref").str()
		if !ok {
			return n, doc
		}
		if frag, local := strings.CutPrefix(ref, "#"); local {
			n = doc.pointer(frag)
			continue
		}
		id, name, frag, ok := apigw.ParseModelURL(ref)
		if !ok || id != g.apiID {
			return &node{}, doc
		}
		d, ok := g.docs[name]
		if !ok {
			m, exists := g.models[name]
			if !exists {
				return &node{}, doc
			}
			var err error
			if d, err = parseOrdered(m.Schema); err != nil {
				return &node{}, doc
			}
			g.docs[name] = d
		}
		doc, n = d, d.pointer(frag)
	}
	return &node{}, doc
}

func (g *generator) value(b *strings.Builder, n, doc *node, expr string, indent, depth int, quoted bool) {
	n, doc = g.resolve(n, doc)
	if depth > maxDepth {
		b.WriteString("null")
		return
	}
	switch schemaType(n) {
	case "object":
		props := n.get("properties")
		if props == nil || len(props.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range props.keys {
			pad(b, indent+1)
			b.WriteString(`"` + k + `" : `)
			g.value(b, props.vals[i], doc, access(expr, k), indent+1, depth+1, true)
			if i < len(props.keys)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		pad(b, indent)
		b.WriteString("}")
	case "array":
		elem := fmt.Sprintf("$elem%s", suffix(depth))
		b.WriteString("[\n#foreach(" + elem + " in " + expr + ")\n")
		pad(b, indent+1)
		items := n.get("items")
		if items == nil {
			items = &node{}
		}
		g.value(b, items, doc, elem, indent+1, depth+1, true)
		b.WriteString("#if($foreach.hasNext),#end\n#end\n")
		pad(b, indent)
		b.WriteString("]")
	case "string":
		b.WriteString(`"` + expr + `"`)
	case "number", "integer", "boolean", "null":
		b.WriteString(expr)
	default:
		// No type: AWS quotes what it cannot classify.
		b.WriteString(`"` + expr + `"`)
	}
}

// schemaType is the schema's "type" (the first of a list), or object when
// it has properties and array when it has items.
func schemaType(n *node) string {
	t := n.get("type")
	if s, ok := t.str(); ok {
		return s
	}
	if t != nil && len(t.list) > 0 {
		if s, ok := t.list[0].str(); ok {
			return s
		}
	}
	if n.get("properties") != nil {
		return "object"
	}
	if n.get("items") != nil {
		return "array"
	}
	return ""
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// access is the Velocity expression for property k of expr: $x.k, or
// $x.get('k') when k is not an identifier.
func access(expr, k string) string {
	if identRe.MatchString(k) {
		return expr + "." + k
	}
	return expr + ".get('" + strings.ReplaceAll(k, "'", "''") + "')"
}

func suffix(depth int) string {
	if depth == 0 {
		return ""
	}
	return fmt.Sprint(depth)
}

func pad(b *strings.Builder, n int) {
	for range n {
		b.WriteString("  ")
	}
}

// node is a JSON value that keeps object keys in document order (the
// generated template lists properties as the schema does).
type node struct {
	keys []string
	vals []*node
	list []*node
	obj  bool
	s    *string
}

func (n *node) get(k string) *node {
	if n == nil {
		return nil
	}
	for i, key := range n.keys {
		if key == k {
			return n.vals[i]
		}
	}
	return nil
}

func (n *node) str() (string, bool) {
	if n == nil || n.s == nil {
		return "", false
	}
	return *n.s, true
}

// pointer resolves a JSON pointer fragment ("/definitions/Pet").
func (n *node) pointer(frag string) *node {
	cur := n
	for _, part := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if part == "" {
			continue
		}
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		cur = cur.get(part)
		if cur == nil {
			return &node{}
		}
	}
	return cur
}

func parseOrdered(s string) (*node, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return nil, err
	}
	if !n.obj {
		return nil, fmt.Errorf("schema is not an object")
	}
	return n, nil
}

func readNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{obj: true}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, kt.(string))
				n.vals = append(n.vals, v)
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &node{}
			for dec.More() {
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.list = append(n.list, v)
			}
			_, err := dec.Token()
			return n, err
		}
	case string:
		return &node{s: &t}, nil
	}
	return &node{}, nil
}
