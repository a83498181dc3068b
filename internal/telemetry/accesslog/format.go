// Package accesslog renders a stage's accessLogSettings.format for one
// request. A format is compiled once per stage configuration into a
// slice of literal and variable parts, so rendering a line is a single
// pass of appends into a reused buffer: no parsing, no regular
// expressions, no allocation per request.
package accesslog

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/internal/telemetry"
)

const contextPrefix = "$context."

// escape is how a variable's value is written into the line, decided at
// compile time from where the variable sits in the format.
type escape uint8

const (
	// escRaw writes the value as is, except control characters, which
	// are written as \n, \t, \u00XX so a value can never break the
	// one-line-per-request rule.
	escRaw escape = iota
	// escQuoted is for a variable inside a double-quoted string: '"' and
	// '\' are backslash-escaped as well. That is JSON string escaping, so
	// the JSON preset stays valid JSON whatever a user agent contains,
	// and it is the usual CLF convention for "%r"-style quoted fields.
	escQuoted
	// escXML escapes &, <, >, " and ' as entities (the XML preset).
	escXML
	// escCSV wraps a value that contains a comma, quote or line break in
	// double quotes, doubling inner quotes (RFC 4180; the CSV preset).
	escCSV
)

type part struct {
	lit string // literal text (id == vLiteral)
	id  varID
	key string // the caller-chosen segment of a variable family
	esc escape
}

// Format is a compiled access log format. It is immutable and safe for
// concurrent use.
type Format struct {
	source string
	parts  []part
}

// Compile compiles a format. It never fails: formats are validated when
// they are stored (Validate), and a stored format that names an unknown
// variable renders "-" for it, as values that are not available do.
// Trailing line breaks, which AWS allows, are dropped.
func Compile(format string) *Format {
	src := strings.TrimRight(format, "\r\n")
	f := &Format{source: format}
	mode := detectMode(src)
	quoted := false // inside a double-quoted string at this point
	lit := 0        // start of the pending literal
	addLit := func(end int) {
		if end > lit {
			f.parts = append(f.parts, part{lit: src[lit:end]})
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		if c == '"' && (i == 0 || src[i-1] != '\\') {
			quoted = !quoted
			i++
			continue
		}
		if c != '$' || !strings.HasPrefix(src[i:], contextPrefix) {
			i++
			continue
		}
		start := i + len(contextPrefix)
		end := start
		for end < len(src) && isNameByte(src[end]) {
			end++
		}
		// A sentence-ending dot ("... $context.status.") is not part of
		// the name.
		for end > start && src[end-1] == '.' {
			end--
		}
		if end == start {
			i = start
			continue
		}
		addLit(i)
		id, key := lookup(src[start:end])
		p := part{id: id, key: key}
		switch {
		case mode == escXML:
			p.esc = escXML
		case quoted:
			p.esc = escQuoted
		case mode == escCSV:
			p.esc = escCSV
		default:
			p.esc = escRaw
		}
		f.parts = append(f.parts, p)
		i, lit = end, end
	}
	addLit(len(src))
	f.parts = slices.Clip(f.parts)
	return f
}

// detectMode picks the escaping family for the whole format: XML when it
// starts with '<', CSV when it is comma-separated and uses no quotes,
// else quote-aware (JSON, CLF and custom formats).
func detectMode(src string) escape {
	t := strings.TrimSpace(src)
	switch {
	case strings.HasPrefix(t, "<"):
		return escXML
	case !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") &&
		!strings.Contains(t, `"`) && strings.Contains(t, ","):
		return escCSV
	}
	return escRaw
}

func isNameByte(c byte) bool {
	return c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Source returns the format as configured.
func (f *Format) Source() string { return f.source }

// Append renders the line for ev (without a trailing newline) onto dst.
// Unavailable values are written as "-".
func (f *Format) Append(dst []byte, ev *telemetry.RequestEvent) []byte {
	for i := range f.parts {
		p := &f.parts[i]
		if p.id == vLiteral {
			dst = append(dst, p.lit...)
			continue
		}
		mark := len(dst)
		dst = appendValue(dst, ev, p.id, p.key)
		if len(dst) == mark {
			dst = append(dst, '-')
			continue
		}
		if p.esc == escRaw && !needsEscape(dst[mark:], false) {
			continue
		}
		dst = reescape(dst, mark, p.esc)
	}
	return dst
}

// Render is Append into a new string, for tests and the console.
func (f *Format) Render(ev *telemetry.RequestEvent) string {
	return string(f.Append(nil, ev))
}

// needsEscape reports whether v has bytes escRaw (or escQuoted, if
// quoted) must rewrite.
func needsEscape(v []byte, quoted bool) bool {
	for _, c := range v {
		if c < 0x20 || c == 0x7f || quoted && (c == '"' || c == '\\') {
			return true
		}
	}
	return false
}

// reescape rewrites dst[mark:] with escaping esc. The common case (no
// byte needs escaping) returns without copying.
func reescape(dst []byte, mark int, esc escape) []byte {
	v := dst[mark:]
	switch esc {
	case escRaw, escQuoted:
		if !needsEscape(v, esc == escQuoted) {
			return dst
		}
		tmp := string(v)
		dst = dst[:mark]
		if esc == escQuoted {
			return appendJSONEscaped(dst, tmp)
		}
		return appendControlEscaped(dst, tmp)
	case escXML:
		if !slices.ContainsFunc(v, func(c byte) bool {
			return c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' || c < 0x20
		}) {
			return dst
		}
		tmp := string(v)
		dst = dst[:mark]
		for _, r := range tmp {
			switch r {
			case '&':
				dst = append(dst, "&amp;"...)
			case '<':
				dst = append(dst, "&lt;"...)
			case '>':
				dst = append(dst, "&gt;"...)
			case '"':
				dst = append(dst, "&quot;"...)
			case '\'':
				dst = append(dst, "&apos;"...)
			default:
				if r < 0x20 {
					dst = append(dst, "&#"...)
					dst = appendUint(dst, uint64(r))
					dst = append(dst, ';')
					continue
				}
				dst = utf8.AppendRune(dst, r)
			}
		}
		return dst
	case escCSV:
		if !slices.ContainsFunc(v, func(c byte) bool { return c == ',' || c == '"' || c < 0x20 }) {
			return dst
		}
		tmp := string(v)
		dst = append(dst[:mark], '"')
		for i := 0; i < len(tmp); i++ {
			switch c := tmp[i]; {
			case c == '"':
				dst = append(dst, '"', '"')
			case c == '\n':
				dst = append(dst, `\n`...)
			case c == '\r':
				dst = append(dst, `\r`...)
			default:
				dst = append(dst, c)
			}
		}
		return append(dst, '"')
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendJSONEscaped appends s escaped for the inside of a JSON string.
func appendJSONEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c >= 0x20 && c != 0x7f:
			dst = append(dst, c)
		default:
			dst = appendControl(dst, c)
		}
	}
	return dst
}

// appendControlEscaped appends s with only control characters escaped.
func appendControlEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			dst = appendControl(dst, c)
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

func appendControl(dst []byte, c byte) []byte {
	switch c {
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

func appendUint(dst []byte, n uint64) []byte {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

func sortStrings(s []string) { slices.Sort(s) }
