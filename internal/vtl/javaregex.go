package vtl

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// Java regular expressions run on Go's regexp (RE2 syntax, linear time).
// The common syntax is the same; what RE2 lacks (look-around,
// back-references, possessive quantifiers, class intersections) fails to
// compile, and the template then fails as Java's PatternSyntaxException
// would make it fail.

// regexpAt returns the compiled pattern for a call site, compiling it on
// the site's first use (so a literal pattern is compiled once per
// template, never per request). anchored compiles ^(?:pattern)$ for
// String.matches.
func regexpAt(site *CallSite, pattern string, anchored bool) (*regexp.Regexp, error) {
	if v, ok := site.Load(pattern); ok {
		c := v.(*compiledRegexp)
		return c.re, c.err
	}
	var c *compiledRegexp
	if site == nil {
		c = sharedRegexp(pattern, anchored)
	} else {
		c = compileJava(pattern, anchored)
		site.Store(pattern, c)
	}
	return c.re, c.err
}

func compileJava(pattern string, anchored bool) *compiledRegexp {
	src := pattern
	if anchored {
		src = `^(?:` + pattern + `)$`
	}
	re, err := regexp.Compile(src)
	if err != nil {
		err = fmt.Errorf("java.util.regex.PatternSyntaxException: %v", err)
	}
	return &compiledRegexp{re: re, err: err}
}

// sharedRegexp caches patterns compiled without a call site (host
// callers), up to a bound.
var (
	sharedRegexps sync.Map
	sharedCount   atomic.Int32
)

const maxSharedRegexps = 512

func sharedRegexp(pattern string, anchored bool) *compiledRegexp {
	key := pattern
	if anchored {
		key = "\x00" + pattern
	}
	if v, ok := sharedRegexps.Load(key); ok {
		return v.(*compiledRegexp)
	}
	c := compileJava(pattern, anchored)
	if sharedCount.Load() < maxSharedRegexps {
		if _, loaded := sharedRegexps.LoadOrStore(key, c); !loaded {
			sharedCount.Add(1)
		}
	}
	return c
}

// javaReplace is String.replaceAll/replaceFirst: repl uses Java's
// syntax, $n and ${name} for groups and backslash to escape.
func javaReplace(re *regexp.Regexp, s, repl string, first bool) (string, error) {
	var b strings.Builder
	last := 0
	n := -1
	if first {
		n = 1
	}
	for _, m := range re.FindAllStringSubmatchIndex(s, n) {
		b.WriteString(s[last:m[0]])
		if err := appendJavaReplacement(&b, re, s, m, repl); err != nil {
			return "", err
		}
		last = m[1]
	}
	if last == 0 && b.Len() == 0 {
		return s, nil
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

func appendJavaReplacement(b *strings.Builder, re *regexp.Regexp, s string, m []int, repl string) error {
	groups := len(m)/2 - 1
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) {
				return errors.New("java.lang.IllegalArgumentException: character to be escaped is missing")
			}
			b.WriteByte(repl[i])
		case '$':
			i++
			if i >= len(repl) {
				return errors.New("java.lang.IllegalArgumentException: Illegal group reference: group index is missing")
			}
			g := -1
			if repl[i] == '{' {
				end := strings.IndexByte(repl[i:], '}')
				if end < 0 {
					return errors.New("java.lang.IllegalArgumentException: named capturing group is missing trailing '}'")
				}
				name := repl[i+1 : i+end]
				g = re.SubexpIndex(name)
				if g < 0 {
					return fmt.Errorf("java.lang.IllegalArgumentException: No group with name {%s}", name)
				}
				i += end
			} else {
				if repl[i] < '0' || repl[i] > '9' {
					return errors.New("java.lang.IllegalArgumentException: Illegal group reference")
				}
				g = int(repl[i] - '0')
				// Java takes further digits while the group exists.
				for i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9' {
					ng := g*10 + int(repl[i+1]-'0')
					if ng > groups {
						break
					}
					g = ng
					i++
				}
				if g > groups {
					return fmt.Errorf("java.lang.IndexOutOfBoundsException: No group %d", g)
				}
			}
			if m[2*g] >= 0 {
				b.WriteString(s[m[2*g]:m[2*g+1]])
			}
		default:
			b.WriteByte(c)
		}
	}
	return nil
}

// javaSplit is String.split(regex, limit): with limit 0 trailing empty
// strings are dropped, and a zero-width match at the start yields no
// leading empty string (Java 8+).
func javaSplit(re *regexp.Regexp, s string, limit int) []string {
	if s == "" {
		return []string{""}
	}
	var out []string
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if limit > 0 && len(out) == limit-1 {
			break
		}
		if m[1] == 0 {
			continue // zero-width match at the beginning
		}
		if m[0] == m[1] && m[0] >= len(s) {
			break
		}
		out = append(out, s[last:m[0]])
		last = m[1]
	}
	out = append(out, s[last:])
	if limit == 0 {
		for len(out) > 1 && out[len(out)-1] == "" {
			out = out[:len(out)-1]
		}
		if len(out) == 1 && out[0] == "" && len(s) > 0 {
			// Every part was empty ("," split on ","): Java returns [].
			return nil
		}
	}
	return out
}
