package vtl

import (
	"strconv"
	"strings"
)

// The lexer tokenizes the expressions inside directive, method and index
// arguments; parser methods on it build expression trees (precedence from
// low to high: || or, && and, == != eq ne, < <= > >= lt le gt ge, + -,
// * / %, unary ! not -).

type tokKind uint8

const (
	tEOF tokKind = iota
	tLParen
	tRParen
	tLBracket
	tRBracket
	tLBrace
	tRBrace
	tComma
	tColon
	tDotDot
	tAssign
	tOp
	tNot
	tString
	tInt
	tFloat
	tWord
	tRef
	tBad
)

type token struct {
	kind tokKind
	pos  int
	text string // word, string content, number text, operator
	op   opKind
	ref  *reference
	sq   bool // single-quoted string
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of template"
	case tRef:
		return "reference $" + t.ref.name
	case tString:
		return "string"
	case tInt, tFloat:
		return "number " + t.text
	case tWord:
		return `"` + t.text + `"`
	case tBad:
		return strconv.Quote(t.text)
	}
	return `"` + t.text + `"`
}

type lexer struct {
	p      *parser
	pos    int
	peeked *token
}

func (p *parser) lexer() *lexer { return &lexer{p: p, pos: p.pos} }

func (p *parser) lexerAt(pos int) *lexer { return &lexer{p: p, pos: pos} }

func (lx *lexer) skipSpace() {
	src := lx.p.src
	for lx.pos < len(src) {
		switch src[lx.pos] {
		case ' ', '\t', '\n', '\r':
			lx.pos++
		default:
			return
		}
	}
}

func (lx *lexer) peek() token {
	if lx.peeked == nil {
		t := lx.scan()
		lx.peeked = &t
	}
	return *lx.peeked
}

func (lx *lexer) next() token {
	if lx.peeked != nil {
		t := *lx.peeked
		lx.peeked = nil
		return t
	}
	return lx.scan()
}

var wordOps = map[string]opKind{
	"and": opAnd, "or": opOr, "eq": opEq, "ne": opNe,
	"lt": opLt, "le": opLe, "gt": opGt, "ge": opGe,
}

func (lx *lexer) scan() token {
	lx.skipSpace()
	src := lx.p.src
	i := lx.pos
	if i >= len(src) {
		return token{kind: tEOF, pos: i}
	}
	c := src[i]
	one := func(k tokKind) token {
		lx.pos = i + 1
		return token{kind: k, pos: i, text: src[i : i+1]}
	}
	op := func(o opKind, n int) token {
		lx.pos = i + n
		return token{kind: tOp, op: o, pos: i, text: src[i : i+n]}
	}
	two := func(s string) bool { return strings.HasPrefix(src[i:], s) }
	switch {
	case c == '(':
		return one(tLParen)
	case c == ')':
		return one(tRParen)
	case c == '[':
		return one(tLBracket)
	case c == ']':
		return one(tRBracket)
	case c == '{':
		return one(tLBrace)
	case c == '}':
		return one(tRBrace)
	case c == ',':
		return one(tComma)
	case c == ':':
		return one(tColon)
	case two(".."):
		lx.pos = i + 2
		return token{kind: tDotDot, pos: i, text: ".."}
	case two("=="):
		return op(opEq, 2)
	case two("!="):
		return op(opNe, 2)
	case two("<="):
		return op(opLe, 2)
	case two(">="):
		return op(opGe, 2)
	case two("&&"):
		return op(opAnd, 2)
	case two("||"):
		return op(opOr, 2)
	case c == '=':
		return one(tAssign)
	case c == '!':
		return one(tNot)
	case c == '<':
		return op(opLt, 1)
	case c == '>':
		return op(opGt, 1)
	case c == '+':
		return op(opAdd, 1)
	case c == '-':
		return op(opSub, 1)
	case c == '*':
		return op(opMul, 1)
	case c == '/':
		return op(opDiv, 1)
	case c == '%':
		return op(opMod, 1)
	case c == '"' || c == '\'':
		j := i + 1
		for j < len(src) && src[j] != c {
			if src[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(src) {
			lx.p.fail(i, "unterminated string")
			lx.pos = len(src)
			return token{kind: tEOF, pos: i}
		}
		lx.pos = j + 1
		return token{kind: tString, pos: i, text: src[i+1 : j], sq: c == '\''}
	case c >= '0' && c <= '9':
		j := i
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		kind := tInt
		if j+1 < len(src) && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
			j++
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			kind = tFloat
		}
		lx.pos = j
		return token{kind: kind, pos: i, text: src[i:j]}
	case c == '$':
		ref, _, end := lx.p.reference(i)
		if ref == nil {
			lx.pos = i + 1
			return token{kind: tBad, pos: i, text: "$"}
		}
		lx.pos = end
		return token{kind: tRef, pos: i, ref: ref, text: src[i:end]}
	case isWordStart(c):
		j := i
		for j < len(src) && isWordByte(src[j]) {
			j++
		}
		w := src[i:j]
		lx.pos = j
		if o, ok := wordOps[w]; ok {
			return token{kind: tOp, op: o, pos: i, text: w}
		}
		if w == "not" {
			return token{kind: tNot, pos: i, text: w}
		}
		return token{kind: tWord, pos: i, text: w}
	}
	lx.pos = i + 1
	return token{kind: tBad, pos: i, text: src[i : i+1]}
}

func (lx *lexer) expression() expr {
	lx.p.nesting++
	defer func() { lx.p.nesting-- }()
	if lx.p.nesting > maxNesting {
		lx.p.fail(lx.pos, "expression nested too deeply")
		return nil
	}
	return lx.binary(0)
}

// precedence levels of binary operators, lowest first.
var levels = [][]opKind{
	{opOr},
	{opAnd},
	{opEq, opNe},
	{opLt, opLe, opGt, opGe},
	{opAdd, opSub},
	{opMul, opDiv, opMod},
}

func (lx *lexer) binary(level int) expr {
	if level == len(levels) {
		return lx.unary()
	}
	l := lx.binary(level + 1)
	for !lx.p.failed() {
		t := lx.peek()
		if t.kind != tOp || !inLevel(t.op, levels[level]) {
			return l
		}
		lx.next()
		r := lx.binary(level + 1)
		l = &binExpr{op: t.op, l: l, r: r}
	}
	return l
}

func inLevel(o opKind, ops []opKind) bool {
	for _, x := range ops {
		if x == o {
			return true
		}
	}
	return false
}

func (lx *lexer) unary() expr {
	t := lx.peek()
	switch {
	case t.kind == tNot:
		lx.next()
		return &unExpr{op: opNot, x: lx.unaryNested()}
	case t.kind == tOp && t.op == opSub:
		lx.next()
		x := lx.unaryNested()
		switch v := x.(type) {
		case *litExpr:
			switch n := v.v.(type) {
			case int64:
				return &litExpr{v: -n}
			case float64:
				return &litExpr{v: -n}
			}
		}
		return &unExpr{op: opNeg, x: x}
	}
	return lx.primary()
}

func (lx *lexer) unaryNested() expr {
	lx.p.nesting++
	defer func() { lx.p.nesting-- }()
	if lx.p.nesting > maxNesting {
		lx.p.fail(lx.pos, "expression nested too deeply")
		return nil
	}
	return lx.unary()
}

func (lx *lexer) primary() expr {
	t := lx.next()
	switch t.kind {
	case tRef:
		return &refExpr{ref: t.ref}
	case tString:
		return lx.stringLiteral(t)
	case tInt:
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			f, _ := strconv.ParseFloat(t.text, 64)
			return &litExpr{v: f}
		}
		return &litExpr{v: n}
	case tFloat:
		f, _ := strconv.ParseFloat(t.text, 64)
		return &litExpr{v: f}
	case tWord:
		switch t.text {
		case "true":
			return &litExpr{v: true}
		case "false":
			return &litExpr{v: false}
		}
	case tLParen:
		e := lx.expression()
		if c := lx.next(); c.kind != tRParen && !lx.p.failed() {
			lx.p.fail(c.pos, "expected ), found %s", c.describe())
		}
		return e
	case tLBracket:
		return lx.listOrRange()
	case tLBrace:
		return lx.mapLiteral()
	}
	lx.p.fail(t.pos, "unexpected %s", t.describe())
	return nil
}

// stringLiteral compiles a string literal: single-quoted strings and
// double-quoted ones without "$" or "#" are constants; others are
// templates of their own. Backslashes stay as written (Velocity 1.7).
func (lx *lexer) stringLiteral(t token) expr {
	if t.sq || !strings.ContainsAny(t.text, "$#") {
		return &litExpr{v: t.text}
	}
	sub := lx.p.sub(t.text, lx.p.base+t.pos+1)
	sub.nesting++
	nodes, term := sub.block()
	if term != "" && !lx.p.failed() {
		lx.p.fail(t.pos, "#%s without a matching directive in string", term)
	}
	return &interpExpr{nodes: nodes}
}

func (lx *lexer) listOrRange() expr {
	if lx.peek().kind == tRBracket {
		lx.next()
		return &listExpr{}
	}
	first := lx.expression()
	if lx.peek().kind == tDotDot {
		lx.next()
		to := lx.expression()
		if c := lx.next(); c.kind != tRBracket && !lx.p.failed() {
			lx.p.fail(c.pos, "expected ], found %s", c.describe())
		}
		return &rangeExpr{from: first, to: to}
	}
	items := []expr{first}
	for !lx.p.failed() {
		t := lx.next()
		if t.kind == tRBracket {
			break
		}
		if t.kind != tComma {
			lx.p.fail(t.pos, "list: expected , or ], found %s", t.describe())
			break
		}
		items = append(items, lx.expression())
	}
	return &listExpr{items: items}
}

func (lx *lexer) mapLiteral() expr {
	m := &mapExpr{}
	if lx.peek().kind == tRBrace {
		lx.next()
		return m
	}
	for !lx.p.failed() {
		k := lx.expression()
		if c := lx.next(); c.kind != tColon {
			lx.p.fail(c.pos, "map: expected :, found %s", c.describe())
			break
		}
		v := lx.expression()
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		t := lx.next()
		if t.kind == tRBrace {
			break
		}
		if t.kind != tComma {
			lx.p.fail(t.pos, "map: expected , or }, found %s", t.describe())
			break
		}
	}
	return m
}

// list parses comma-separated expressions up to the closing token.
func (lx *lexer) list(end tokKind, what string) []expr {
	if lx.peek().kind == end {
		lx.next()
		return nil
	}
	var out []expr
	for !lx.p.failed() {
		out = append(out, lx.expression())
		t := lx.next()
		if t.kind == end {
			break
		}
		if t.kind != tComma {
			lx.p.fail(t.pos, "%s: expected , or ), found %s", what, t.describe())
			break
		}
	}
	return out
}
