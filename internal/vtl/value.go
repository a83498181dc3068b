package vtl

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Values a template handles are Go values of these types:
//
//	nil                  Java null
//	string, bool
//	int64                Java Integer/Long
//	float64              Java Double
//	*List                java.util.List (mutable, shared by reference)
//	*Map                 java.util.LinkedHashMap (insertion-ordered)
//	Object               a host object with properties and methods
//	*Block               the body of a #define, rendered when referenced
//
// Host values of other Go types (int, []any, map[string]any ...) are
// converted by Normalize.

// Object is a host-provided value: $input, $util, $context and the like.
type Object interface {
	// Property returns $obj.name; ok=false when the object has none
	// (the reference is then null).
	Property(name string) (v any, ok bool)
	// Call invokes $obj.name(args...). ok=false when there is no such
	// method (the reference is then null). args is only valid during the
	// call: keep its values, never the slice. A non-nil error aborts the
	// template, as a Java exception thrown by a method does in Velocity.
	Call(site *CallSite, name string, args []any) (v any, ok bool, err error)
}

// Setter is an Object whose properties can be assigned with
// #set($obj.name = value).
type Setter interface {
	SetProperty(name string, v any) error
}

// Stringer is an Object with its own rendering (Java's toString).
type Stringer interface {
	String() string
}

// List is a mutable list, shared by reference like a Java List.
type List struct {
	Items []any
	// JSON marks a list parsed from JSON: it renders as JSON text, as the
	// lists API Gateway's $input.path returns do. Lists built by the
	// template render Java-style ("[a, b]").
	JSON bool
}

// NewList returns a list holding items.
func NewList(items ...any) *List { return &List{Items: items} }

// Map is an insertion-ordered mutable map (Java's LinkedHashMap), shared
// by reference. Small maps (most JSON objects) are two parallel slices
// searched linearly; an index is built once a map grows past
// mapIndexAt entries.
type Map struct {
	keys  []string
	vals  []any
	index map[string]int
	// JSON marks a map parsed from JSON (it affects how its lists inside
	// render; the map itself renders Java-style, {k=v}, as on AWS).
	JSON bool
}

const mapIndexAt = 16

// NewMap returns an empty map with room for n entries.
func NewMap(n int) *Map {
	return &Map{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// MapOf returns a map of keys and vals (of equal length), taking
// ownership of both slices. A key given twice keeps its first position
// and its last value, as LinkedHashMap.put does.
func MapOf(keys []string, vals []any) *Map {
	m := &Map{keys: keys, vals: vals}
	if len(keys) > mapIndexAt {
		m.reindex()
		if len(m.index) == len(keys) {
			return m
		}
	} else if !hasDuplicate(keys) {
		return m
	}
	// Duplicate keys: rebuild through Put.
	d := NewMap(len(keys))
	for i, k := range keys {
		d.Put(k, vals[i])
	}
	return d
}

func hasDuplicate(keys []string) bool {
	for i := 1; i < len(keys); i++ {
		for j := 0; j < i; j++ {
			if keys[i] == keys[j] {
				return true
			}
		}
	}
	return false
}

func (m *Map) find(k string) int {
	if m.index != nil {
		if i, ok := m.index[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range m.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// Get returns the value stored under k.
func (m *Map) Get(k string) (any, bool) {
	if m == nil {
		return nil, false
	}
	if i := m.find(k); i >= 0 {
		return m.vals[i], true
	}
	return nil, false
}

// at returns the i-th entry's value.

// Put stores v under k, keeping k's position if it was present, and
// returns the previous value.
func (m *Map) Put(k string, v any) any {
	if i := m.find(k); i >= 0 {
		old := m.vals[i]
		m.vals[i] = v
		return old
	}
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	switch {
	case m.index != nil:
		m.index[k] = len(m.keys) - 1
	case len(m.keys) > mapIndexAt:
		m.reindex()
	}
	return nil
}

func (m *Map) reindex() {
	m.index = make(map[string]int, len(m.keys))
	for i, key := range m.keys {
		m.index[key] = i
	}
}

// Remove deletes k and returns its value.
func (m *Map) Remove(k string) any {
	i := m.find(k)
	if i < 0 {
		return nil
	}
	old := m.vals[i]
	m.keys = append(m.keys[:i:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i:i], m.vals[i+1:]...)
	if m.index != nil {
		m.reindex()
	}
	return old
}

// clear empties the map.
func (m *Map) clear() {
	m.keys, m.vals, m.index = nil, nil, nil
}

// Keys returns the keys in insertion order. Callers must not modify it.
func (m *Map) Keys() []string {
	if m == nil {
		return nil
	}
	return m.keys
}

// Len returns the number of entries.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.keys)
}

// Block is the body of a #define: referencing it renders it with the
// variables of the moment.
type Block struct {
	nodes []node
}

// entry is a Map.Entry from entrySet().
type entry struct {
	key string
	val any
}

func (e *entry) Property(name string) (any, bool) {
	switch name {
	case "key":
		return e.key, true
	case "value":
		return e.val, true
	}
	return nil, false
}

func (e *entry) Call(_ *CallSite, name string, args []any) (any, bool, error) {
	switch name {
	case "getKey":
		return e.key, true, nil
	case "getValue":
		return e.val, true, nil
	}
	return nil, false, nil
}

func (e *entry) String() string { return e.key + "=" + toString(e.val) }

// Normalize converts common Go values into template values: other
// integer and float types, []any, []string, map[string]any and
// map[string]string (the latter two with sorted keys, since Go maps have
// no order).
func Normalize(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, *List, *Map, Object, *Block:
		return v
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case []any:
		l := &List{Items: make([]any, len(x))}
		for i, e := range x {
			l.Items[i] = Normalize(e)
		}
		return l
	case []string:
		l := &List{Items: make([]any, len(x))}
		for i, e := range x {
			l.Items[i] = e
		}
		return l
	case map[string]any:
		m := NewMap(len(x))
		for _, k := range sortedKeys(x) {
			m.Put(k, Normalize(x[k]))
		}
		return m
	case map[string]string:
		m := NewMap(len(x))
		for _, k := range sortedKeys(x) {
			m.Put(k, x[k])
		}
		return m
	}
	return v
}

// ToString renders a value as Velocity writes it into the output.
func ToString(v any) string { return toString(v) }

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return FormatDouble(x)
	}
	return string(appendValue(nil, v))
}

// maxRenderDepth bounds how deeply nested values are rendered or
// compared, so a list that contains itself ($l.add($l)) cannot recurse
// forever; deeper levels render as "...".
const maxRenderDepth = 100

// appendValue appends the rendering of v (toString) to dst.
func appendValue(dst []byte, v any) []byte { return appendValueDepth(dst, v, 0) }

func appendValueDepth(dst []byte, v any, depth int) []byte {
	if depth > maxRenderDepth {
		return append(dst, "..."...)
	}
	switch x := v.(type) {
	case nil:
		return dst
	case string:
		return append(dst, x...)
	case bool:
		return strconv.AppendBool(dst, x)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float64:
		return appendDouble(dst, x)
	case *List:
		if x.JSON {
			return appendJSONDepth(dst, x, depth)
		}
		dst = append(dst, '[')
		for i, e := range x.Items {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendValueDepth(dst, e, depth+1)
		}
		return append(dst, ']')
	case *Map:
		dst = append(dst, '{')
		for i, k := range x.keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, k...)
			dst = append(dst, '=')
			dst = appendValueDepth(dst, x.vals[i], depth+1)
		}
		return append(dst, '}')
	case Stringer:
		return append(dst, x.String()...)
	}
	return dst
}

// AppendJSON appends v as compact JSON: maps as objects (in key order),
// lists as arrays, strings quoted, null as null.
func AppendJSON(dst []byte, v any) []byte { return appendJSONDepth(dst, v, 0) }

func appendJSONDepth(dst []byte, v any, depth int) []byte {
	if depth > maxRenderDepth {
		return append(dst, "null"...)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return AppendJSONString(dst, x)
	case bool:
		return strconv.AppendBool(dst, x)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return append(dst, "null"...)
		}
		return appendDouble(dst, x)
	case *List:
		dst = append(dst, '[')
		for i, e := range x.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONDepth(dst, e, depth+1)
		}
		return append(dst, ']')
	case *Map:
		dst = append(dst, '{')
		for i, k := range x.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, k)
			dst = append(dst, ':')
			dst = appendJSONDepth(dst, x.vals[i], depth+1)
		}
		return append(dst, '}')
	}
	return AppendJSONString(dst, toString(v))
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string literal.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// FormatDouble formats f as Java's Double.toString does: "1.0", "249.99",
// "1.0E10", "1.0E-5".
func FormatDouble(f float64) string { return string(appendDouble(nil, f)) }

func appendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		n := len(dst)
		dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
		if !strings.Contains(string(dst[n:]), ".") {
			dst = append(dst, ".0"...)
		}
		return dst
	}
	// Scientific: d.dddE±n, with at least one digit after the point.
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // -1.2345e+10
	mant, exp, _ := strings.Cut(string(s), "e")
	dst = append(dst, mant...)
	if !strings.Contains(mant, ".") {
		dst = append(dst, ".0"...)
	}
	dst = append(dst, 'E')
	if exp[0] == '-' {
		dst = append(dst, '-')
	}
	exp = strings.TrimLeft(exp[1:], "0")
	if exp == "" {
		exp = "0"
	}
	return append(dst, exp...)
}

// truthy is #if's test: Velocity 1.7 treats only null and false as false.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true
}

// valuesEqual is Velocity 1.7's ==: numbers by value, same classes with
// equals(), different classes by their toString().
func valuesEqual(a, b any) bool { return equalDepth(a, b, 0) }

func equalDepth(a, b any, depth int) bool {
	if depth > maxRenderDepth {
		return false
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if fa, aNum := number(a); aNum {
		if fb, bNum := number(b); bNum {
			ia, aInt := a.(int64)
			ib, bInt := b.(int64)
			if aInt && bInt {
				return ia == ib
			}
			return fa == fb
		}
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case *List:
		if y, ok := b.(*List); ok {
			if x == y {
				return true
			}
			if len(x.Items) != len(y.Items) {
				return false
			}
			for i := range x.Items {
				if !equalDepth(x.Items[i], y.Items[i], depth+1) {
					return false
				}
			}
			return true
		}
	case *Map:
		if y, ok := b.(*Map); ok {
			if x == y {
				return true
			}
			if x.Len() != y.Len() {
				return false
			}
			for i, k := range x.keys {
				yv, ok := y.Get(k)
				if !ok || !equalDepth(x.vals[i], yv, depth+1) {
					return false
				}
			}
			return true
		}
	}
	if sameKind(a, b) {
		return a == b
	}
	return string(appendValueDepth(nil, a, depth)) == string(appendValueDepth(nil, b, depth))
}

func sameKind(a, b any) bool {
	switch a.(type) {
	case *List:
		_, ok := b.(*List)
		return ok
	case *Map:
		_, ok := b.(*Map)
		return ok
	case Object:
		_, ok := b.(Object)
		return ok
	}
	return false
}

// number returns v as a float64 when it is a number.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// ErrBudget is returned (wrapped) when a template exceeds its limits.
var ErrBudget = errors.New("template exceeded its evaluation budget")

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
