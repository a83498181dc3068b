package gateway

import (
	"encoding/json"
	"errors"
	"strings"
)

// authPolicy is the IAM policy a Lambda authorizer returned, reduced to
// what API Gateway evaluates: the execute-api:Invoke statements' effects
// and resources. It is parsed once per authorizer call and, when cached,
// evaluated against each request's method ARN.
type authPolicy struct {
	allow []string // resource patterns ('*' and '?' wildcards)
	deny  []string
}

// policyDecision is the outcome of evaluating a policy.
type policyDecision uint8

const (
	decisionNoMatch policyDecision = iota // implicit deny
	decisionAllow
	decisionDeny // explicit deny
)

// evaluate applies IAM's rule: an explicit Deny wins, else an Allow
// grants, else the request is denied implicitly.
func (p *authPolicy) evaluate(methodARN string) policyDecision {
	for _, r := range p.deny {
		if globMatch(r, methodARN) {
			return decisionDeny
		}
	}
	for _, r := range p.allow {
		if globMatch(r, methodARN) {
			return decisionAllow
		}
	}
	return decisionNoMatch
}

// globMatch matches s against an IAM pattern where '*' is any run of
// characters (including '/' and ':') and '?' one character. Iterative
// with one backtrack point, so it never allocates or recurses.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// stringOrList is an IAM field that may be one string or a list.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("must be a string or a list of strings")
	}
	*s = many
	return nil
}

// policyStatements is a policy's Statement: one object or a list.
type policyStatements []policyStatement

type policyStatement struct {
	Effect   string       `json:"Effect"`
	Action   stringOrList `json:"Action"`
	Resource stringOrList `json:"Resource"`
}

func (s *policyStatements) UnmarshalJSON(b []byte) error {
	var one policyStatement
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = []policyStatement{one}
		return nil
	}
	var many []policyStatement
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// parsePolicy reduces a policy document to its execute-api statements. A
// document without statements, or with one whose Effect is neither Allow
// nor Deny, is malformed (AWS: "Could not parse policy").
func parsePolicy(raw json.RawMessage) (*authPolicy, error) {
	var doc struct {
		Statement policyStatements `json:"Statement"`
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("policyDocument is missing")
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if len(doc.Statement) == 0 {
		return nil, errors.New("policyDocument has no Statement")
	}
	p := &authPolicy{}
	for _, st := range doc.Statement {
		if !actionsInvoke(st.Action) {
			continue
		}
		switch {
		case strings.EqualFold(st.Effect, "Allow"):
			p.allow = append(p.allow, st.Resource...)
		case strings.EqualFold(st.Effect, "Deny"):
			p.deny = append(p.deny, st.Resource...)
		default:
			return nil, errors.New("statement Effect must be Allow or Deny")
		}
	}
	return p, nil
}

// actionsInvoke reports whether a statement's actions cover
// execute-api:Invoke.
func actionsInvoke(actions []string) bool {
	for _, a := range actions {
		if globMatch(strings.ToLower(a), "execute-api:invoke") {
			return true
		}
	}
	return false
}
