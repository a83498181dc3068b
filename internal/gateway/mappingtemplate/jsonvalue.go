package mappingtemplate

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stagecoach/stagecoach/internal/vtl"
)

// parseJSON parses a JSON document into template values: objects become
// insertion-ordered *vtl.Map (API Gateway keeps the body's key order when
// a template iterates keySet() or prints a map), arrays *vtl.List,
// integers int64 (floats past int64's range), other numbers float64.
// Both are marked JSON so they print as API Gateway prints them.
func parseJSON(b []byte) (any, error) {
	p := jsonParser{b: b}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.b) {
		return nil, p.errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// maxJSONDepth bounds nesting (API Gateway's bodies are at most 10 MB;
// the bound keeps the recursive parser's stack small).
const maxJSONDepth = 1000

type jsonParser struct {
	b []byte
	i int
	// Stacks of the members and elements being parsed: an object or
	// array is copied out of them at its end, in one allocation of the
	// right size.
	keys []string
	vals []any
}

var errJSON = errors.New("invalid JSON")

func (p *jsonParser) errorf(msg string) error {
	return errors.Join(errJSON, errors.New(msg+" at offset "+strconv.Itoa(p.i)))
}

func (p *jsonParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, p.errorf("JSON nested too deeply")
	}
	if p.i >= len(p.b) {
		return nil, p.errorf("unexpected end of JSON")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		p.i++
		base, vbase := len(p.keys), len(p.vals)
		p.space()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			m := vtl.NewMap(0)
			m.JSON = true
			return m, nil
		}
		for {
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return nil, p.errorf("expected a string key")
			}
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return nil, p.errorf("expected :")
			}
			p.i++
			p.space()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			p.keys = append(p.keys, k)
			p.vals = append(p.vals, v)
			p.space()
			if p.i < len(p.b) && p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.b) && p.b[p.i] == '}' {
				p.i++
				keys := append([]string(nil), p.keys[base:]...)
				vals := append([]any(nil), p.vals[vbase:]...)
				p.keys, p.vals = p.keys[:base], p.vals[:vbase]
				m := vtl.MapOf(keys, vals)
				m.JSON = true
				return m, nil
			}
			return nil, p.errorf("expected , or }")
		}
	case c == '[':
		p.i++
		base := len(p.vals)
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return &vtl.List{JSON: true}, nil
		}
		for {
			p.space()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			p.vals = append(p.vals, v)
			p.space()
			if p.i < len(p.b) && p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.b) && p.b[p.i] == ']' {
				p.i++
				l := &vtl.List{JSON: true, Items: append([]any(nil), p.vals[base:]...)}
				p.vals = p.vals[:base]
				return l, nil
			}
			return nil, p.errorf("expected , or ]")
		}
	case c == '"':
		return p.str()
	case c == 't':
		return p.word("true", true)
	case c == 'f':
		return p.word("false", false)
	case c == 'n':
		return p.word("null", nil)
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return nil, p.errorf("unexpected character")
}

func (p *jsonParser) word(w string, v any) (any, error) {
	if len(p.b)-p.i < len(w) || string(p.b[p.i:p.i+len(w)]) != w {
		return nil, p.errorf("invalid literal")
	}
	p.i += len(w)
	return v, nil
}

func (p *jsonParser) number() (any, error) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return nil, p.errorf("invalid number")
	}
	isInt := true
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		isInt = false
		if digits() == 0 {
			return nil, p.errorf("invalid number")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		isInt = false
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.errorf("invalid number")
		}
	}
	text := string(p.b[start:p.i])
	if isInt {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, p.errorf("invalid number")
	}
	return f, nil
}

func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	// Fast path: no escapes.
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := string(p.b[start:p.i])
			p.i++
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	buf := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(buf) {
				buf = []byte(string([]rune(string(buf))))
			}
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c == '\\':
			p.i++
			if p.i >= len(p.b) {
				return "", p.errorf("unterminated string")
			}
			e := p.b[p.i]
			p.i++
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errorf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					r2 := utf8.RuneError
					if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
						save := p.i
						p.i += 2
						if lo, ok := p.hex4(); ok {
							r2 = utf16.DecodeRune(r, lo)
						} else {
							p.i = save
						}
					}
					r = r2
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errorf("invalid escape")
			}
		default:
			buf = append(buf, c)
			p.i++
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}
