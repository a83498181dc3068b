package gateway

import (
	"net/url"
	"sort"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// node is one resource of a deployment's resource tree, compiled for
// matching. Children are split by kind so matching never has to look at a
// child that cannot apply.
type node struct {
	path string // the resource's full path, e.g. "/pets/{petId}"

	literals   map[string]*node // pathPart -> child, for literal children
	param      *node            // the {name} child, if any
	paramName  string
	greedy     *node // the {name+} child, if any
	greedyName string

	methods   map[string]*method // by verb, without ANY
	anyMethod *method            // the ANY method, if any
}

// pathParam is one bound path variable. raw is still percent-encoded (a
// substring of the request path, so binding costs no allocation); use
// value for the decoded form.
type pathParam struct {
	name string
	raw  string
}

// value returns the decoded parameter value.
func (p pathParam) value() string { return unescapePath(p.raw) }

// callable reports whether a request can end on this resource. A resource
// without methods is only a path prefix: matching backtracks past it so
// that a sibling variable or greedy resource gets the request.
func (n *node) callable() bool { return len(n.methods) > 0 || n.anyMethod != nil }

// lookup selects the method for verb: the exact verb first, else ANY
// (data-plane.md §2.4; HEAD does not fall back to GET).
func (n *node) lookup(verb string) *method {
	if m := n.methods[verb]; m != nil {
		return m
	}
	return n.anyMethod
}

// route finds the resource for an escaped request path ("/" for the root)
// and appends the bound path parameters to params.
//
// Precedence at each level (data-plane.md §2): a literal child equal to
// the decoded segment, else the {var} child, else the {name+} child, which
// consumes the rest of the path. If a branch fails deeper down (no
// resource, or a resource with no methods) the next kind is tried, so the
// most specific callable resource wins. A trailing slash is ignored for
// matching ("/pets/" is "/pets") but kept in a greedy value, and empty
// segments ("//") are skipped.
func (n *node) route(path string, params []pathParam) (*node, []pathParam) {
	full := strings.TrimPrefix(path, "/")
	p := full
	if len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return n.match(p, full, 0, params)
}

func (n *node) match(p, full string, pos int, params []pathParam) (*node, []pathParam) {
	for pos < len(p) && p[pos] == '/' {
		pos++
	}
	if pos >= len(p) {
		if n.callable() {
			return n, params
		}
		return nil, params
	}
	end := strings.IndexByte(p[pos:], '/')
	if end < 0 {
		end = len(p)
	} else {
		end += pos
	}
	seg := p[pos:end]
	if n.literals != nil {
		if c := n.literals[unescapePath(seg)]; c != nil {
			if m, ps := c.match(p, full, end, params); m != nil {
				return m, ps
			}
		}
	}
	if n.param != nil {
		mark := len(params)
		if m, ps := n.param.match(p, full, end, append(params, pathParam{n.paramName, seg})); m != nil {
			return m, ps
		}
		params = params[:mark]
	}
	if n.greedy != nil && n.greedy.callable() {
		return n.greedy, append(params, pathParam{n.greedyName, full[pos:]})
	}
	return nil, params
}

// unescapePath percent-decodes one path segment, returning s itself (no
// allocation) when there is nothing to decode or the escape is malformed.
func unescapePath(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

// buildTree links a deployment snapshot's resources into a tree and calls
// mk for every method to produce its runtime form. Resources whose parent
// is missing from the snapshot are unreachable and left out.
func buildTree(resources map[string]*apigw.Resource, mk func(r *apigw.Resource, verb string, m *apigw.Method) *method) *node {
	children := map[string][]*apigw.Resource{}
	var root *apigw.Resource
	for _, r := range resources {
		if r.ParentID == "" || r.Path == "/" {
			if root == nil || r.Path == "/" {
				root = r
			}
			continue
		}
		children[r.ParentID] = append(children[r.ParentID], r)
	}
	if root == nil {
		return &node{path: "/"}
	}
	var build func(r *apigw.Resource) *node
	build = func(r *apigw.Resource) *node {
		n := &node{path: r.Path}
		verbs := make([]string, 0, len(r.ResourceMethods))
		for verb := range r.ResourceMethods {
			verbs = append(verbs, verb)
		}
		sort.Strings(verbs)
		for _, verb := range verbs {
			m := mk(r, verb, r.ResourceMethods[verb])
			if verb == "ANY" {
				n.anyMethod = m
				continue
			}
			if n.methods == nil {
				n.methods = map[string]*method{}
			}
			n.methods[verb] = m
		}
		kids := children[r.ID]
		sort.Slice(kids, func(i, j int) bool { return kids[i].PathPart < kids[j].PathPart })
		for _, c := range kids {
			cn := build(c)
			part := c.PathPart
			switch {
			case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "+}"):
				n.greedy, n.greedyName = cn, part[1:len(part)-2]
			case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}"):
				n.param, n.paramName = cn, part[1:len(part)-1]
			default:
				if n.literals == nil {
					n.literals = map[string]*node{}
				}
				n.literals[part] = cn
			}
		}
		return n
	}
	return build(root)
}
