package mappingtemplate

import (
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/stagecoach/stagecoach/internal/vtl"
)

// utilObj is $util: the six functions API Gateway documents.
type utilObj struct{}

var util = &utilObj{}

func (*utilObj) Property(string) (any, bool) { return nil, false }

func (*utilObj) Call(_ *vtl.CallSite, name string, args []any) (any, bool, error) {
	if len(args) != 1 {
		return nil, false, nil
	}
	if args[0] == nil {
		// A null argument renders as the empty string.
		return "", true, nil
	}
	s := vtl.ToString(args[0])
	switch name {
	case "escapeJavaScript":
		return EscapeJavaScript(s), true, nil
	case "parseJson":
		v, err := parseJSON([]byte(s))
		if err != nil {
			return nil, true, errors.New("$util.parseJson: " + err.Error())
		}
		return v, true, nil
	case "urlEncode":
		return URLEncode(s), true, nil
	case "urlDecode":
		d, err := URLDecode(s)
		if err != nil {
			return nil, true, err
		}
		return d, true, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), true, nil
	case "base64Decode":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, true, errors.New("$util.base64Decode: " + err.Error())
		}
		return string(b), true, nil
	}
	return nil, false, nil
}

// EscapeJavaScript escapes s as Apache Commons Lang's
// StringEscapeUtils.escapeJavaScript does (what API Gateway's
// $util.escapeJavaScript is): quotes, backslash and "/" get a backslash,
// control characters their short escapes or \u00XX, and every character
// past ASCII a \uXXXX escape (UTF-16 units, upper-case hex).
func EscapeJavaScript(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, r := range s {
		switch {
		case r == '\'' || r == '"' || r == '\\' || r == '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r > 0x7f:
			if r > 0xffff {
				hi, lo := utf16.EncodeRune(r)
				writeU(&b, hi)
				writeU(&b, lo)
			} else {
				writeU(&b, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

const upperHex = "0123456789ABCDEF"

func writeU(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	b.WriteByte(upperHex[r>>12&0xf])
	b.WriteByte(upperHex[r>>8&0xf])
	b.WriteByte(upperHex[r>>4&0xf])
	b.WriteByte(upperHex[r&0xf])
}

// URLEncode is Java's URLEncoder.encode(s, "UTF-8"): letters, digits and
// ".-*_" stay, a space becomes "+", every other byte %XX.
func URLEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '-' || c == '*' || c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&0xf])
		}
	}
	return b.String()
}

// URLDecode is Java's URLDecoder.decode(s, "UTF-8").
func URLDecode(s string) (string, error) {
	d, err := url.QueryUnescape(s)
	if err != nil {
		return "", errors.New("java.lang.IllegalArgumentException: URLDecoder: " + err.Error())
	}
	return d, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
