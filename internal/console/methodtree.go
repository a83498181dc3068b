package console

import (
	"sort"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// methodPatchPrefix returns the UpdateStage patch path of one method's
// settings entry (update-stage-patch.md §1): the resource path without its
// leading slash, "~" written "~0" and "/" written "~1", then the verb.
// "/pets/{id}" GET -> "/~1pets~1{id}/GET"; the root "/" -> "/~1/GET".
func methodPatchPrefix(resourcePath, verb string) string {
	if resourcePath == "/" {
		return "/~1/" + verb
	}
	p := strings.TrimPrefix(resourcePath, "/")
	p = strings.ReplaceAll(p, "~", "~0")
	p = strings.ReplaceAll(p, "/", "~1")
	return "/~1" + p + "/" + verb
}

// treeNode is one resource of a stage's resource/method tree, in the order
// the console lists it (depth first, children sorted by path).
type treeNode struct {
	Path    string
	Depth   int
	Label   string // last path segment, "/" for the root
	Methods []string
}

// verbOrder sorts methods the way the AWS console lists them.
var verbOrder = map[string]int{"ANY": 0, "DELETE": 1, "GET": 2, "HEAD": 3, "OPTIONS": 4, "PATCH": 5, "POST": 6, "PUT": 7}

func sortVerbs(vs []string) {
	sort.Slice(vs, func(i, j int) bool {
		oi, iok := verbOrder[vs[i]]
		oj, jok := verbOrder[vs[j]]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return vs[i] < vs[j]
	})
}

// buildTree turns path -> verbs into the console's tree. Intermediate
// resources without methods appear so the tree has no gaps (a deployment's
// apiSummary lists only resources that have methods).
func buildTree(methods map[string][]string) []treeNode {
	paths := map[string]bool{"/": true}
	for p := range methods {
		for q := p; q != "/" && q != ""; q = parentPath(q) {
			paths[q] = true
		}
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	// Sorting by segments gives depth-first order: "/pets" < "/pets/{id}" < "/users".
	sort.Slice(sorted, func(i, j int) bool {
		a, b := segments(sorted[i]), segments(sorted[j])
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return len(a) < len(b)
	})
	out := make([]treeNode, 0, len(sorted))
	for _, p := range sorted {
		vs := append([]string(nil), methods[p]...)
		sortVerbs(vs)
		label := p
		if p != "/" {
			label = "/" + p[strings.LastIndex(p, "/")+1:]
		}
		out = append(out, treeNode{Path: p, Depth: len(segments(p)), Label: label, Methods: vs})
	}
	return out
}

func segments(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func parentPath(p string) string {
	i := strings.LastIndex(p, "/")
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// summaryMethods flattens a deployment's apiSummary into path -> verbs.
func summaryMethods(sum map[string]map[string]apigw.MethodSnapshot) map[string][]string {
	out := map[string][]string{}
	for p, verbs := range sum {
		for v := range verbs {
			out[p] = append(out[p], v)
		}
	}
	return out
}

// resourceMethods flattens a live resource list into path -> verbs.
func resourceMethods(rs []*apigw.Resource) map[string][]string {
	out := map[string][]string{}
	for _, r := range rs {
		for v := range r.ResourceMethods {
			out[r.Path] = append(out[r.Path], v)
		}
		if _, ok := out[r.Path]; !ok {
			out[r.Path] = nil
		}
	}
	return out
}
