package cwapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Metric math: the subset of CloudWatch's expression language served
// here is numbers, query ids, + - * / with the usual precedence,
// parentheses, unary minus, and SUM/AVG/MIN/MAX(METRICS()). Anything
// else is rejected with a ValidationError, as CloudWatch rejects an
// expression it cannot parse.

type exprNode interface{ isExpr() }

type numNode struct{ v float64 }
type refNode struct{ id string }
type negNode struct{ x exprNode }
type binNode struct {
	op   byte
	l, r exprNode
}
type aggNode struct{ fn string } // SUM, AVG, MIN or MAX of METRICS()

func (numNode) isExpr() {}
func (refNode) isExpr() {}
func (negNode) isExpr() {}
func (binNode) isExpr() {}
func (aggNode) isExpr() {}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokNum
	tokIdent
	tokOp // + - * / ( )
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("+-*/()", c) >= 0:
			out = append(out, token{tokOp, string(c), i})
			i++
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			out = append(out, token{tokNum, s[i:j], i})
			i = j
		case c < 0x80 && (unicode.IsLetter(rune(c)) || c == '_'):
			j := i
			for j < len(s) && s[j] < 0x80 && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])) || s[j] == '_') {
				j++
			}
			out = append(out, token{tokIdent, s[i:j], i})
			i = j
		default:
			return nil, fmt.Errorf("Unrecognized character '%c' at position %d", c, i)
		}
	}
	return append(out, token{kind: tokEOF, pos: len(s)}), nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i = min(p.i+1, len(p.toks)-1); return t }

func (p *parser) expect(op string) error {
	if t := p.next(); t.kind != tokOp || t.text != op {
		return fmt.Errorf("Expected '%s' at position %d", op, t.pos)
	}
	return nil
}

// parseExpr parses an expression.
func parseExpr(s string) (exprNode, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.sum()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, fmt.Errorf("Unexpected '%s' at position %d", t.text, t.pos)
	}
	return n, nil
}

func (p *parser) sum() (exprNode, error) {
	l, err := p.product()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tokOp && (t.text == "+" || t.text == "-"); t = p.peek() {
		p.next()
		r, err := p.product()
		if err != nil {
			return nil, err
		}
		l = binNode{t.text[0], l, r}
	}
	return l, nil
}

func (p *parser) product() (exprNode, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tokOp && (t.text == "*" || t.text == "/"); t = p.peek() {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = binNode{t.text[0], l, r}
	}
	return l, nil
}

func (p *parser) unary() (exprNode, error) {
	if t := p.peek(); t.kind == tokOp && t.text == "-" {
		p.next()
		x, err := p.unary()
		return negNode{x}, err
	}
	return p.primary()
}

func (p *parser) primary() (exprNode, error) {
	t := p.next()
	switch t.kind {
	case tokNum:
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, fmt.Errorf("Invalid number '%s' at position %d", t.text, t.pos)
		}
		return numNode{v}, nil
	case tokIdent:
		if n := p.peek(); n.kind == tokOp && n.text == "(" {
			return p.call(t)
		}
		if t.text[0] < 'a' || t.text[0] > 'z' {
			return nil, fmt.Errorf("Unknown identifier '%s' at position %d", t.text, t.pos)
		}
		return refNode{t.text}, nil
	case tokOp:
		if t.text == "(" {
			n, err := p.sum()
			if err != nil {
				return nil, err
			}
			return n, p.expect(")")
		}
	case tokEOF:
		return nil, fmt.Errorf("Unexpected end of expression")
	}
	return nil, fmt.Errorf("Unexpected '%s' at position %d", t.text, t.pos)
}

// call parses FN(METRICS()).
func (p *parser) call(fn token) (exprNode, error) {
	switch fn.text {
	case "SUM", "AVG", "MIN", "MAX":
	default:
		return nil, fmt.Errorf("Unsupported function '%s' at position %d", fn.text, fn.pos)
	}
	p.next() // (
	if m := p.next(); m.kind != tokIdent || m.text != "METRICS" {
		return nil, fmt.Errorf("%s supports only METRICS() as its argument here (position %d)", fn.text, m.pos)
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	return aggNode{fn.text}, nil
}

// series is a time series keyed by bucket start (Unix seconds).
type series map[int64]float64

// value is an expression's result: a scalar or a series.
type value struct {
	scalar   float64
	isScalar bool
	s        series
}

// evalEnv resolves ids and METRICS().
type evalEnv struct {
	ref     func(id string) (series, error)
	metrics func() []series
}

func eval(n exprNode, env *evalEnv) (value, error) {
	switch n := n.(type) {
	case numNode:
		return value{scalar: n.v, isScalar: true}, nil
	case refNode:
		s, err := env.ref(n.id)
		return value{s: s}, err
	case negNode:
		x, err := eval(n.x, env)
		if err != nil {
			return x, err
		}
		return apply(value{scalar: -1, isScalar: true}, x, '*'), nil
	case binNode:
		l, err := eval(n.l, env)
		if err != nil {
			return l, err
		}
		r, err := eval(n.r, env)
		if err != nil {
			return r, err
		}
		return apply(l, r, n.op), nil
	case aggNode:
		return value{s: aggregate(n.fn, env.metrics())}, nil
	}
	return value{}, fmt.Errorf("cwapi: unknown node %T", n)
}

func arith(a, b float64, op byte) (float64, bool) {
	var v float64
	switch op {
	case '+':
		v = a + b
	case '-':
		v = a - b
	case '*':
		v = a * b
	case '/':
		if b == 0 {
			return 0, false // no datapoint, as CloudWatch
		}
		v = a / b
	}
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

// apply combines two values; two series combine where both have a
// datapoint.
func apply(l, r value, op byte) value {
	switch {
	case l.isScalar && r.isScalar:
		v, ok := arith(l.scalar, r.scalar, op)
		if !ok {
			v = math.NaN()
		}
		return value{scalar: v, isScalar: true}
	case l.isScalar:
		out := series{}
		for t, v := range r.s {
			if x, ok := arith(l.scalar, v, op); ok {
				out[t] = x
			}
		}
		return value{s: out}
	case r.isScalar:
		out := series{}
		for t, v := range l.s {
			if x, ok := arith(v, r.scalar, op); ok {
				out[t] = x
			}
		}
		return value{s: out}
	}
	out := series{}
	for t, a := range l.s {
		if b, ok := r.s[t]; ok {
			if x, ok := arith(a, b, op); ok {
				out[t] = x
			}
		}
	}
	return value{s: out}
}

// aggregate is SUM/AVG/MIN/MAX across series, per timestamp, over the
// series that have a datapoint there.
func aggregate(fn string, in []series) series {
	out := series{}
	n := map[int64]int{}
	for _, s := range in {
		for t, v := range s {
			cur, seen := out[t]
			switch {
			case !seen:
				out[t] = v
			case fn == "MIN":
				out[t] = math.Min(cur, v)
			case fn == "MAX":
				out[t] = math.Max(cur, v)
			default:
				out[t] = cur + v
			}
			n[t]++
		}
	}
	if fn == "AVG" {
		for t := range out {
			out[t] /= float64(n[t])
		}
	}
	return out
}

// refs lists the ids an expression names.
func refs(n exprNode, out []string) []string {
	switch n := n.(type) {
	case refNode:
		return append(out, n.id)
	case negNode:
		return refs(n.x, out)
	case binNode:
		return refs(n.r, refs(n.l, out))
	}
	return out
}
