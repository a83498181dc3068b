package cloudcontrol

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// jsonPatchOp is one RFC 6902 operation of an UpdateResource PatchDocument.
type jsonPatchOp struct {
	Op    string           `json:"op"`
	Path  *string          `json:"path"`
	From  *string          `json:"from,omitempty"`
	Value *json.RawMessage `json:"value,omitempty"`
}

// parsePatchDocument decodes a PatchDocument string.
func parsePatchDocument(doc string) ([]jsonPatchOp, error) {
	var ops []jsonPatchOp
	if err := json.Unmarshal([]byte(doc), &ops); err != nil {
		return nil, fmt.Errorf("the patch document is not a JSON array of patch operations: %v", err)
	}
	for i, op := range ops {
		switch op.Op {
		case "add", "replace", "test":
			if op.Value == nil {
				return nil, fmt.Errorf("operation %d (%s) has no value", i, op.Op)
			}
		case "remove":
		case "move", "copy":
			if op.From == nil {
				return nil, fmt.Errorf("operation %d (%s) has no from", i, op.Op)
			}
		default:
			return nil, fmt.Errorf("operation %d has an invalid op %q", i, op.Op)
		}
		if op.Path == nil {
			return nil, fmt.Errorf("operation %d (%s) has no path", i, op.Op)
		}
	}
	return ops, nil
}

// applyJSONPatch applies ops to doc (a decoded JSON object) per RFC 6902
// and returns the result. doc is not modified. Any failing operation fails
// the whole patch.
func applyJSONPatch(doc map[string]any, ops []jsonPatchOp) (map[string]any, error) {
	var root any = deepCopy(doc)
	for _, op := range ops {
		var err error
		path := *op.Path
		switch op.Op {
		case "add":
			root, err = pointerAdd(root, path, decodeValue(op.Value))
		case "remove":
			root, _, err = pointerRemove(root, path)
		case "replace":
			root, _, err = pointerRemove(root, path)
			if err == nil {
				root, err = pointerAdd(root, path, decodeValue(op.Value))
			}
		case "move":
			from := *op.From
			if path != from && strings.HasPrefix(path, from+"/") {
				return nil, fmt.Errorf("cannot move %s into its own child %s", from, path)
			}
			var v any
			root, v, err = pointerRemove(root, from)
			if err == nil {
				root, err = pointerAdd(root, path, v)
			}
		case "copy":
			var v any
			v, err = pointerGet(root, *op.From)
			if err == nil {
				root, err = pointerAdd(root, path, deepCopy(v))
			}
		case "test":
			var v any
			v, err = pointerGet(root, path)
			if err == nil && !jsonEqual(v, decodeValue(op.Value)) {
				err = fmt.Errorf("test failed: the value at %s is not the expected value", path)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	m, ok := root.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the patched document is not a JSON object")
	}
	return m, nil
}

func decodeValue(raw *json.RawMessage) any {
	var v any
	json.Unmarshal(*raw, &v)
	return v
}

// splitPointer decodes an RFC 6901 pointer into reference tokens.
func splitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("invalid JSON pointer %q: must start with /", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

func arrayIndex(tok string, n int, allowEnd bool) (int, error) {
	if tok == "-" && allowEnd {
		return n, nil
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i < 0 || (tok != "0" && strings.HasPrefix(tok, "0")) {
		return 0, fmt.Errorf("invalid array index %q", tok)
	}
	limit := n - 1
	if allowEnd {
		limit = n
	}
	if i > limit {
		return 0, fmt.Errorf("array index %d out of bounds", i)
	}
	return i, nil
}

func pointerGet(root any, p string) (any, error) {
	toks, err := splitPointer(p)
	if err != nil {
		return nil, err
	}
	cur := root
	for _, t := range toks {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[t]
			if !ok {
				return nil, fmt.Errorf("path %s does not exist", p)
			}
			cur = v
		case []any:
			i, err := arrayIndex(t, len(c), false)
			if err != nil {
				return nil, fmt.Errorf("path %s: %v", p, err)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("path %s does not exist", p)
		}
	}
	return cur, nil
}

// pointerAdd implements "add": it sets a member, inserts into an array, or
// replaces the whole document for the empty pointer.
func pointerAdd(root any, p string, v any) (any, error) {
	toks, err := splitPointer(p)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return v, nil
	}
	parent, err := pointerGet(root, joinPointer(toks[:len(toks)-1]))
	if err != nil {
		return nil, err
	}
	last := toks[len(toks)-1]
	switch c := parent.(type) {
	case map[string]any:
		c[last] = v
		return root, nil
	case []any:
		i, err := arrayIndex(last, len(c), true)
		if err != nil {
			return nil, fmt.Errorf("path %s: %v", p, err)
		}
		c = append(c, nil)
		copy(c[i+1:], c[i:])
		c[i] = v
		return setAt(root, toks[:len(toks)-1], c)
	}
	return nil, fmt.Errorf("path %s does not exist", p)
}

// pointerRemove removes the value at p and returns it.
func pointerRemove(root any, p string) (any, any, error) {
	toks, err := splitPointer(p)
	if err != nil {
		return nil, nil, err
	}
	if len(toks) == 0 {
		return nil, nil, fmt.Errorf("cannot remove the whole document")
	}
	parent, err := pointerGet(root, joinPointer(toks[:len(toks)-1]))
	if err != nil {
		return nil, nil, err
	}
	last := toks[len(toks)-1]
	switch c := parent.(type) {
	case map[string]any:
		v, ok := c[last]
		if !ok {
			return nil, nil, fmt.Errorf("path %s does not exist", p)
		}
		delete(c, last)
		return root, v, nil
	case []any:
		i, err := arrayIndex(last, len(c), false)
		if err != nil {
			return nil, nil, fmt.Errorf("path %s: %v", p, err)
		}
		v := c[i]
		c = append(c[:i:i], c[i+1:]...)
		root, err = setAt(root, toks[:len(toks)-1], c)
		return root, v, err
	}
	return nil, nil, fmt.Errorf("path %s does not exist", p)
}

// setAt stores v at the location named by toks (used when an array grew or
// shrank and its new slice header must replace the old one).
func setAt(root any, toks []string, v any) (any, error) {
	if len(toks) == 0 {
		return v, nil
	}
	parent, err := pointerGet(root, joinPointer(toks[:len(toks)-1]))
	if err != nil {
		return nil, err
	}
	last := toks[len(toks)-1]
	switch c := parent.(type) {
	case map[string]any:
		c[last] = v
	case []any:
		i, err := arrayIndex(last, len(c), false)
		if err != nil {
			return nil, err
		}
		c[i] = v
	}
	return root, nil
}

func joinPointer(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

func deepCopy(v any) any {
	switch c := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(c))
		for k, x := range c {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(c))
		for i, x := range c {
			s[i] = deepCopy(x)
		}
		return s
	}
	return v
}

// jsonEqual compares decoded JSON values; numbers compare by value.
func jsonEqual(a, b any) bool {
	return reflect.DeepEqual(a, b)
}
