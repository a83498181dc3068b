package cloudcontrol

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The Cloud Control model's member constraints (cloudcontrol-2021-09-30).
var (
	typeNamePattern    = regexp.MustCompile(`^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$`)
	clientTokenPattern = regexp.MustCompile(`^[-A-Za-z0-9+/=]+$`)
	roleArnPattern     = regexp.MustCompile(`^arn:.+:iam::[0-9]{12}:role/.+$`)
	typeVersionPattern = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
)

// inputCheck collects member-constraint violations and reports them the
// way AWS's request validator does: "N validation error(s) detected: ...".
type inputCheck struct{ problems []string }

func (c *inputCheck) fail(value *string, member, constraint string) {
	v := "null"
	if value != nil {
		v = "'" + *value + "'"
	}
	c.problems = append(c.problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", v, member, constraint))
}

// required checks a required string member.
func (c *inputCheck) required(member string, v *string) bool {
	if v == nil {
		c.fail(nil, member, "Member must not be null")
		return false
	}
	return true
}

// length checks an optional string member's length in characters.
func (c *inputCheck) length(member string, v *string, lo, hi int) bool {
	if v == nil {
		return true
	}
	n := utf8.RuneCountInString(*v)
	if n < lo || n > hi {
		c.fail(v, member, fmt.Sprintf("Member must have length between %d and %d, inclusive", lo, hi))
		return false
	}
	return true
}

func (c *inputCheck) pattern(member string, v *string, re *regexp.Regexp) bool {
	if v == nil || re.MatchString(*v) {
		return true
	}
	c.fail(v, member, "Member must satisfy regular expression pattern: "+re.String())
	return false
}

func (c *inputCheck) typeName(v *string) {
	if c.required("typeName", v) && c.length("typeName", v, 10, 196) {
		c.pattern("typeName", v, typeNamePattern)
	}
}

func (c *inputCheck) identifier(v *string) {
	if c.required("identifier", v) {
		c.length("identifier", v, 1, 1024)
	}
}

func (c *inputCheck) token(member string, v *string) {
	if c.length(member, v, 1, 128) {
		c.pattern(member, v, clientTokenPattern)
	}
}

func (c *inputCheck) roleArn(v *string) {
	if c.length("roleArn", v, 20, 2048) {
		c.pattern("roleArn", v, roleArnPattern)
	}
}

func (c *inputCheck) typeVersionID(v *string) {
	if c.length("typeVersionId", v, 1, 128) {
		c.pattern("typeVersionId", v, typeVersionPattern)
	}
}

func (c *inputCheck) maxResults(v *int) {
	if v != nil && (*v < 1 || *v > 100) {
		s := fmt.Sprint(*v)
		c.fail(&s, "maxResults", "Member must have value between 1 and 100, inclusive")
	}
}

func (c *inputCheck) err() error {
	switch len(c.problems) {
	case 0:
		return nil
	case 1:
		return errValidation("1 validation error detected: %s", c.problems[0])
	}
	return errValidation("%d validation errors detected: %s", len(c.problems), strings.Join(c.problems, "; "))
}
