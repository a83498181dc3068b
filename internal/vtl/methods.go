package vtl

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// builtin calls a Java method on a built-in value: String, List, Map,
// Integer/Long/Double and Boolean methods templates commonly use.
// ok=false when there is no such method (the reference is then null);
// err is a Java exception (index out of range, bad regex), which aborts
// the template as it does in Velocity.
func (st *state) builtin(v any, site *CallSite, name string, args []any) (any, bool, error) {
	switch name {
	case "toString":
		if len(args) == 0 {
			return toString(v), true, nil
		}
	case "equals":
		if len(args) == 1 {
			return valuesEqual(v, args[0]) && (args[0] == nil || sameClass(v, args[0])), true, nil
		}
	case "hashCode":
		// Not Java's value; only its use as an opaque number matters.
		return int64(len(toString(v))), true, nil
	}
	switch x := v.(type) {
	case string:
		return st.stringMethod(x, site, name, args)
	case *List:
		return st.listMethod(x, name, args)
	case *Map:
		return st.mapMethod(x, name, args)
	case int64:
		switch name {
		case "intValue", "longValue":
			return x, true, nil
		case "doubleValue", "floatValue":
			return float64(x), true, nil
		}
	case float64:
		switch name {
		case "intValue", "longValue":
			return int64(x), true, nil
		case "doubleValue", "floatValue":
			return x, true, nil
		}
	case bool:
		if name == "booleanValue" {
			return x, true, nil
		}
	}
	return nil, false, nil
}

func sameClass(a, b any) bool {
	switch a.(type) {
	case string:
		_, ok := b.(string)
		return ok
	case int64:
		_, ok := b.(int64)
		return ok
	case float64:
		_, ok := b.(float64)
		return ok
	case bool:
		_, ok := b.(bool)
		return ok
	}
	return true
}

func argString(args []any, i int) (string, bool) {
	if i >= len(args) {
		return "", false
	}
	switch x := args[i].(type) {
	case string:
		return x, true
	case nil:
		return "", false
	}
	return toString(args[i]), true
}

func argInt(args []any, i int) (int, bool) {
	if i >= len(args) {
		return 0, false
	}
	switch x := args[i].(type) {
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	}
	return 0, false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Java strings index UTF-16 code units; ASCII strings need no
// conversion.
func units(s string) []uint16 { return utf16.Encode([]rune(s)) }

func fromUnits(u []uint16) string { return string(utf16.Decode(u)) }

func javaLength(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return len(units(s))
}

func javaSubstring(s string, from, to int) (string, error) {
	n := javaLength(s)
	if from < 0 || to > n || from > to {
		return "", fmt.Errorf("java.lang.StringIndexOutOfBoundsException: begin %d, end %d, length %d", from, to, n)
	}
	if isASCII(s) {
		return s[from:to], nil
	}
	return fromUnits(units(s)[from:to]), nil
}

// javaIndex converts a byte offset in s to a UTF-16 index.
func javaIndex(s string, byteOff int) int {
	if byteOff < 0 {
		return -1
	}
	if isASCII(s[:byteOff]) {
		return byteOff
	}
	return len(units(s[:byteOff]))
}

// byteOffset converts a UTF-16 index into a byte offset of s.
func byteOffset(s string, idx int) int {
	if idx <= 0 {
		return 0
	}
	if isASCII(s) {
		return min(idx, len(s))
	}
	n := 0
	for i, r := range s {
		if n >= idx {
			return i
		}
		n += utf16.RuneLen(r)
	}
	return len(s)
}

func (st *state) stringMethod(s string, site *CallSite, name string, args []any) (any, bool, error) {
	a0, has0 := argString(args, 0)
	switch name {
	case "length":
		return int64(javaLength(s)), true, nil
	case "isEmpty":
		return s == "", true, nil
	case "isBlank":
		return strings.TrimSpace(s) == "", true, nil
	case "trim":
		return strings.Trim(s, " \t\n\r\f\v\x00"), true, nil
	case "strip":
		return strings.TrimSpace(s), true, nil
	case "toLowerCase":
		return strings.ToLower(s), true, nil
	case "toUpperCase":
		return strings.ToUpper(s), true, nil
	case "contains":
		if has0 {
			return strings.Contains(s, a0), true, nil
		}
	case "startsWith":
		if has0 {
			if off, ok := argInt(args, 1); ok {
				b := byteOffset(s, off)
				return strings.HasPrefix(s[b:], a0), true, nil
			}
			return strings.HasPrefix(s, a0), true, nil
		}
	case "endsWith":
		if has0 {
			return strings.HasSuffix(s, a0), true, nil
		}
	case "equalsIgnoreCase":
		if has0 {
			return strings.EqualFold(s, a0), true, nil
		}
		return false, true, nil
	case "compareTo":
		if has0 {
			return int64(strings.Compare(s, a0)), true, nil
		}
	case "concat":
		if has0 {
			if !st.spend(len(s) + len(a0)) {
				return nil, true, nil
			}
			return s + a0, true, nil
		}
	case "indexOf", "lastIndexOf":
		if !has0 {
			return nil, false, nil
		}
		if name == "indexOf" {
			from := 0
			if f, ok := argInt(args, 1); ok {
				from = byteOffset(s, f)
			}
			i := strings.Index(s[from:], a0)
			if i < 0 {
				return int64(-1), true, nil
			}
			return int64(javaIndex(s, from+i)), true, nil
		}
		return int64(javaIndex(s, strings.LastIndex(s, a0))), true, nil
	case "charAt":
		i, ok := argInt(args, 0)
		if !ok {
			return nil, false, nil
		}
		c, err := javaSubstring(s, i, i+1)
		if err != nil {
			return nil, true, err
		}
		return c, true, nil
	case "substring":
		from, ok := argInt(args, 0)
		if !ok {
			return nil, false, nil
		}
		to, ok := argInt(args, 1)
		if !ok {
			to = javaLength(s)
		}
		r, err := javaSubstring(s, from, to)
		return r, true, err
	case "replace":
		a1, has1 := argString(args, 1)
		if !has0 || !has1 {
			return nil, false, nil
		}
		r := strings.ReplaceAll(s, a0, a1)
		if !st.spend(len(r)) {
			return nil, true, nil
		}
		return r, true, nil
	case "replaceAll", "replaceFirst":
		a1, has1 := argString(args, 1)
		if !has0 || !has1 {
			return nil, false, nil
		}
		re, err := regexpAt(site, a0, false)
		if err != nil {
			return nil, true, err
		}
		r, err := javaReplace(re, s, a1, name == "replaceFirst")
		if err != nil {
			return nil, true, err
		}
		if !st.spend(len(r)) {
			return nil, true, nil
		}
		return r, true, nil
	case "matches":
		if !has0 {
			return nil, false, nil
		}
		re, err := regexpAt(site, a0, true)
		if err != nil {
			return nil, true, err
		}
		return re.MatchString(s), true, nil
	case "split":
		if !has0 {
			return nil, false, nil
		}
		limit, _ := argInt(args, 1)
		re, err := regexpAt(site, a0, false)
		if err != nil {
			return nil, true, err
		}
		parts := javaSplit(re, s, limit)
		if !st.spend(len(s) + 16*len(parts)) {
			return nil, true, nil
		}
		l := &List{Items: make([]any, len(parts))}
		for i, p := range parts {
			l.Items[i] = p
		}
		return l, true, nil
	case "getBytes":
		return s, true, nil
	}
	return nil, false, nil
}

func (st *state) listMethod(l *List, name string, args []any) (any, bool, error) {
	switch name {
	case "size":
		return int64(len(l.Items)), true, nil
	case "isEmpty":
		return len(l.Items) == 0, true, nil
	case "get":
		i, ok := argInt(args, 0)
		if !ok {
			return nil, false, nil
		}
		if i < 0 || i >= len(l.Items) {
			return nil, true, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, len(l.Items))
		}
		return l.Items[i], true, nil
	case "contains":
		if len(args) == 1 {
			return indexIn(l.Items, args[0]) >= 0, true, nil
		}
	case "indexOf":
		if len(args) == 1 {
			return int64(indexIn(l.Items, args[0])), true, nil
		}
	case "add":
		if !st.spend(16) {
			return nil, true, nil
		}
		switch len(args) {
		case 1:
			l.Items = append(l.Items, args[0])
			return true, true, nil
		case 2:
			i, ok := argInt(args, 0)
			if !ok || i < 0 || i > len(l.Items) {
				return nil, true, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index: %d, Size: %d", i, len(l.Items))
			}
			l.Items = append(l.Items[:i], append([]any{args[1]}, l.Items[i:]...)...)
			return nil, true, nil
		}
	case "addAll":
		if o, ok := args[0].(*List); ok && len(args) == 1 {
			if !st.spend(16 * len(o.Items)) {
				return nil, true, nil
			}
			l.Items = append(l.Items, o.Items...)
			return true, true, nil
		}
	case "set":
		i, ok := argInt(args, 0)
		if !ok || len(args) != 2 {
			return nil, false, nil
		}
		if i < 0 || i >= len(l.Items) {
			return nil, true, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, len(l.Items))
		}
		old := l.Items[i]
		l.Items[i] = args[1]
		return old, true, nil
	case "remove":
		if len(args) != 1 {
			return nil, false, nil
		}
		if i, ok := args[0].(int64); ok {
			if i < 0 || int(i) >= len(l.Items) {
				return nil, true, fmt.Errorf("java.lang.IndexOutOfBoundsException: Index %d out of bounds for length %d", i, len(l.Items))
			}
			old := l.Items[i]
			l.Items = append(l.Items[:i], l.Items[i+1:]...)
			return old, true, nil
		}
		if i := indexIn(l.Items, args[0]); i >= 0 {
			l.Items = append(l.Items[:i], l.Items[i+1:]...)
			return true, true, nil
		}
		return false, true, nil
	case "clear":
		l.Items = l.Items[:0]
		return nil, true, nil
	case "subList":
		from, ok1 := argInt(args, 0)
		to, ok2 := argInt(args, 1)
		if !ok1 || !ok2 {
			return nil, false, nil
		}
		if from < 0 || to > len(l.Items) || from > to {
			return nil, true, fmt.Errorf("java.lang.IndexOutOfBoundsException: fromIndex %d, toIndex %d, size %d", from, to, len(l.Items))
		}
		return &List{Items: l.Items[from:to:to], JSON: l.JSON}, true, nil
	}
	return nil, false, nil
}

func indexIn(items []any, v any) int {
	for i, e := range items {
		if valuesEqual(e, v) && (v == nil || e == nil || sameClass(e, v)) {
			return i
		}
	}
	return -1
}

func (st *state) mapMethod(m *Map, name string, args []any) (any, bool, error) {
	switch name {
	case "size":
		return int64(m.Len()), true, nil
	case "isEmpty":
		return m.Len() == 0, true, nil
	case "get":
		if len(args) == 1 {
			v, _ := m.Get(toString(args[0]))
			return v, true, nil
		}
	case "getOrDefault":
		if len(args) == 2 {
			if v, ok := m.Get(toString(args[0])); ok {
				return v, true, nil
			}
			return args[1], true, nil
		}
	case "containsKey":
		if len(args) == 1 {
			_, ok := m.Get(toString(args[0]))
			return ok, true, nil
		}
	case "containsValue":
		if len(args) == 1 {
			for _, v := range m.vals {
				if valuesEqual(v, args[0]) {
					return true, true, nil
				}
			}
			return false, true, nil
		}
	case "put":
		if len(args) == 2 {
			k := toString(args[0])
			if !st.spend(len(k) + 16) {
				return nil, true, nil
			}
			return m.Put(k, args[1]), true, nil
		}
	case "putAll":
		if o, ok := args[0].(*Map); ok && len(args) == 1 {
			if !st.spend(32 * o.Len()) {
				return nil, true, nil
			}
			for i, k := range o.keys {
				m.Put(k, o.vals[i])
			}
			return nil, true, nil
		}
	case "remove":
		if len(args) == 1 {
			return m.Remove(toString(args[0])), true, nil
		}
	case "keySet":
		if !st.spend(16 * m.Len()) {
			return nil, true, nil
		}
		l := &List{Items: make([]any, len(m.keys))}
		for i, k := range m.keys {
			l.Items[i] = k
		}
		return l, true, nil
	case "values":
		if !st.spend(16 * m.Len()) {
			return nil, true, nil
		}
		l := &List{Items: make([]any, len(m.keys)), JSON: m.JSON}
		copy(l.Items, m.vals)
		return l, true, nil
	case "entrySet":
		if !st.spend(32 * m.Len()) {
			return nil, true, nil
		}
		l := &List{Items: make([]any, len(m.keys))}
		for i, k := range m.keys {
			l.Items[i] = &entry{key: k, val: m.vals[i]}
		}
		return l, true, nil
	case "clear":
		m.clear()
		return nil, true, nil
	}
	return nil, false, nil
}
