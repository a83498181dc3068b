package logstore

import (
	"errors"
	"regexp"
	"strings"
)

// Pattern is a compiled CloudWatch Logs filter pattern for unstructured
// log events (the "Filter pattern syntax" page of the CloudWatch Logs
// user guide):
//
//	""                      every event
//	ERROR                   events containing ERROR (case-sensitive)
//	ERROR "not found"       events containing both (terms are ANDed; a
//	                        quoted phrase is one term)
//	?ERROR ?WARN            events containing either (any "?"-term)
//	ERROR -health           containing ERROR but not health
//	%5\d\d%                 a regular expression between percent signs
//
// JSON ({ $.x = 1 }) and space-delimited ([a, b]) patterns are not
// supported and are rejected with InvalidParameterException, rather than
// silently matching nothing.
type Pattern struct {
	all  []string // every one must occur
	any  []string // at least one must occur, if any are given
	none []string // none may occur
	re   *regexp.Regexp
}

// ErrUnsupportedPattern is returned for filter pattern forms Stagecoach
// does not implement.
var ErrUnsupportedPattern = errors.New("unsupported filter pattern")

// CompilePattern parses a filter pattern.
func CompilePattern(src string) (*Pattern, error) {
	s := strings.TrimSpace(src)
	p := &Pattern{}
	if s == "" {
		return p, nil
	}
	if len(s) >= 2 && s[0] == '%' && s[len(s)-1] == '%' {
		re, err := regexp.Compile(s[1 : len(s)-1])
		if err != nil {
			return nil, err
		}
		p.re = re
		return p, nil
	}
	if s[0] == '{' || s[0] == '[' {
		return nil, ErrUnsupportedPattern
	}
	for len(s) > 0 {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		kind := byte(0)
		if s[0] == '?' || s[0] == '-' {
			kind, s = s[0], s[1:]
		}
		var term string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, errors.New("unterminated quoted term")
			}
			term, s = s[1:1+end], s[2+end:]
		} else {
			end := strings.IndexAny(s, " \t")
			if end < 0 {
				end = len(s)
			}
			term, s = s[:end], s[end:]
		}
		if term == "" {
			continue
		}
		switch kind {
		case '?':
			p.any = append(p.any, term)
		case '-':
			p.none = append(p.none, term)
		default:
			p.all = append(p.all, term)
		}
	}
	return p, nil
}

// Match reports whether a message matches.
func (p *Pattern) Match(msg string) bool {
	if p.re != nil {
		return p.re.MatchString(msg)
	}
	for _, t := range p.all {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	for _, t := range p.none {
		if strings.Contains(msg, t) {
			return false
		}
	}
	if len(p.any) == 0 {
		return true
	}
	for _, t := range p.any {
		if strings.Contains(msg, t) {
			return true
		}
	}
	return false
}
