package vtl

import (
	"fmt"
	"strings"
)

// maxNesting bounds how deeply directives, parentheses and string
// interpolations may nest, so a hostile template cannot exhaust the
// parser's stack.
const maxNesting = 200

// SyntaxError is a template that does not parse.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// parser turns template text into nodes. Text is scanned directly; the
// arguments of directives and methods are tokenized by lex (expr.go).
type parser struct {
	src     string
	pos     int
	base    int // offset of src in the template (interpolated strings)
	root    *parser
	syms    map[string]int
	macros  map[string]*macroDef
	calls   []*macroCallNode
	nesting int
	err     *SyntaxError
}

func newParser(src string) *parser {
	p := &parser{src: src, syms: map[string]int{}, macros: map[string]*macroDef{}}
	p.root = p
	return p
}

// sub returns a parser for a string literal's content at offset off of
// the template, sharing symbols and macros.
func (p *parser) sub(content string, off int) *parser {
	return &parser{src: content, base: off, root: p.root, syms: p.syms, macros: p.macros, nesting: p.nesting}
}

func (p *parser) fail(pos int, format string, args ...any) {
	if p.root.err != nil {
		return
	}
	full := p.root.src
	at := p.base + pos
	if at > len(full) {
		at = len(full)
	}
	line := 1 + strings.Count(full[:at], "\n")
	col := at - strings.LastIndexByte(full[:at], '\n')
	p.root.err = &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) failed() bool { return p.root.err != nil }

// slot returns the variable slot of name.
func (p *parser) slot(name string) int {
	if s, ok := p.syms[name]; ok {
		return s
	}
	s := len(p.syms)
	p.syms[name] = s
	return s
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// isIdentByte: Velocity 1.7 identifiers may contain letters, digits,
// "_" and "-".
func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '-'
}

func isWordStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isWordByte(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' || c == '_' }

// ident reads an identifier at i, returning its end (i when none).
func (p *parser) ident(i int) int {
	if i >= len(p.src) || !isIdentStart(p.src[i]) {
		return i
	}
	j := i + 1
	for j < len(p.src) && isIdentByte(p.src[j]) {
		j++
	}
	return j
}

// textBuf accumulates literal output between nodes.
type textBuf struct {
	b     []byte
	nodes *[]node
}

func (t *textBuf) flush() {
	if len(t.b) > 0 {
		*t.nodes = append(*t.nodes, &textNode{text: string(t.b)})
		t.b = t.b[:0]
	}
}

func (t *textBuf) add(n node) {
	t.flush()
	*t.nodes = append(*t.nodes, n)
}

// block parses nodes until EOF or a #end, #else or #elseif, which it
// consumes and returns ("end", "else", "elseif"; "" at EOF).
func (p *parser) block() ([]node, string) {
	p.nesting++
	defer func() { p.nesting-- }()
	if p.nesting > maxNesting {
		p.fail(p.pos, "directives nested too deeply")
		return nil, ""
	}
	var nodes []node
	t := &textBuf{nodes: &nodes}
	for p.pos < len(p.src) && !p.failed() {
		c := p.src[p.pos]
		switch c {
		case '$':
			if ref, raw, end := p.reference(p.pos); ref != nil {
				t.add(&refNode{ref: ref, raw: raw})
				p.pos = end
			} else {
				t.b = append(t.b, '$')
				p.pos++
			}
		case '#':
			if term := p.hash(t); term != "" {
				t.flush()
				return nodes, term
			}
		case '\\':
			p.backslash(t)
		default:
			j := p.pos + 1
			for j < len(p.src) && p.src[j] != '$' && p.src[j] != '#' && p.src[j] != '\\' {
				j++
			}
			t.b = append(t.b, p.src[p.pos:j]...)
			p.pos = j
		}
	}
	t.flush()
	return nodes, ""
}

// backslash handles a run of backslashes: before a reference or a
// directive, pairs of backslashes print one and an odd one escapes it.
func (p *parser) backslash(t *textBuf) {
	i := p.pos
	for i < len(p.src) && p.src[i] == '\\' {
		i++
	}
	n := i - p.pos
	if i < len(p.src) && p.src[i] == '$' {
		if ref, raw, end := p.reference(i); ref != nil {
			if n%2 == 1 {
				t.add(&escapedRefNode{ref: ref, raw: raw, bs: n})
			} else {
				t.b = append(t.b, strings.Repeat(`\`, n/2)...)
				t.add(&refNode{ref: ref, raw: raw})
			}
			p.pos = end
			return
		}
	}
	if i < len(p.src) && p.src[i] == '#' && p.directiveAhead(i) {
		t.b = append(t.b, strings.Repeat(`\`, n/2)...)
		if n%2 == 1 {
			t.b = append(t.b, '#')
			p.pos = i + 1
			return
		}
		p.pos = i
		return
	}
	t.b = append(t.b, p.src[p.pos:i]...)
	p.pos = i
}

var directives = map[string]bool{
	"set": true, "if": true, "elseif": true, "else": true, "end": true, "foreach": true,
	"break": true, "stop": true, "define": true, "macro": true,
	"include": true, "parse": true, "evaluate": true,
}

// directiveAhead reports whether a directive (or a macro call) starts
// at the "#" at i.
func (p *parser) directiveAhead(i int) bool {
	name, _, _ := p.directiveName(i)
	if name == "" {
		return false
	}
	_, isMacro := p.macros[name]
	return directives[name] || isMacro
}

// directiveName reads "#name" or "#{name}" at i.
func (p *parser) directiveName(i int) (name string, end int, formal bool) {
	j := i + 1
	if j < len(p.src) && p.src[j] == '{' {
		formal = true
		j++
	}
	k := j
	for k < len(p.src) && isWordByte(p.src[k]) {
		k++
	}
	if k == j || !isWordStart(p.src[j]) {
		return "", i, false
	}
	name = p.src[j:k]
	if formal {
		if k >= len(p.src) || p.src[k] != '}' {
			return "", i, false
		}
		k++
	}
	return name, k, formal
}

// gobbleNewline consumes spaces and tabs followed by a newline at p.pos
// (what Velocity 1.7's lexer attaches to a directive's closing ")" and to
// #else and #end), or nothing when no newline follows.
func (p *parser) gobbleNewline() {
	j := p.pos
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	switch {
	case j < len(p.src) && p.src[j] == '\n':
		p.pos = j + 1
	case j < len(p.src) && p.src[j] == '\r':
		p.pos = j + 1
		if p.pos < len(p.src) && p.src[p.pos] == '\n' {
			p.pos++
		}
	}
}

// hash handles "#" at p.pos: comments, unparsed blocks, directives and
// macro calls. It returns a block terminator it consumed, if any.
func (p *parser) hash(t *textBuf) string {
	src, i := p.src, p.pos
	if strings.HasPrefix(src[i:], "##") {
		j := strings.IndexByte(src[i:], '\n')
		if j < 0 {
			p.pos = len(src)
		} else {
			p.pos = i + j + 1
		}
		return ""
	}
	if strings.HasPrefix(src[i:], "#*") {
		j := strings.Index(src[i+2:], "*#")
		if j < 0 {
			p.fail(i, "unterminated #* comment")
			return ""
		}
		p.pos = i + 2 + j + 2
		return ""
	}
	if strings.HasPrefix(src[i:], "#[[") {
		j := strings.Index(src[i+3:], "]]#")
		if j < 0 {
			p.fail(i, "unterminated #[[ block")
			return ""
		}
		t.b = append(t.b, src[i+3:i+3+j]...)
		p.pos = i + 3 + j + 3
		return ""
	}
	name, end, formal := p.directiveName(i)
	if name == "" {
		t.b = append(t.b, '#')
		p.pos++
		return ""
	}
	switch name {
	case "end", "else":
		p.pos = end
		p.gobbleNewline()
		return name
	case "elseif":
		p.pos = end
		return name
	case "set":
		// The spaces and tabs before #set are part of its token in
		// Velocity 1.7, so they are not output.
		t.b = []byte(strings.TrimRight(string(t.b), " \t"))
		p.pos = end
		p.setDirective(t)
	case "if":
		p.pos = end
		p.ifDirective(t)
	case "foreach":
		p.pos = end
		p.foreachDirective(t)
	case "break":
		p.pos = end
		p.optionalArgs()
		t.add(breakNode{})
	case "stop":
		p.pos = end
		p.optionalArgs()
		t.add(stopNode{})
	case "define":
		p.pos = end
		p.defineDirective(t)
	case "macro":
		p.pos = end
		p.macroDirective()
	case "include", "parse", "evaluate":
		p.fail(i, "#%s is not supported", name)
	default:
		// A macro call needs its parentheses; otherwise "#word" is text.
		j := end
		if !formal {
			for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
				j++
			}
		}
		if j >= len(src) || src[j] != '(' {
			t.b = append(t.b, src[i:end]...)
			p.pos = end
			return ""
		}
		p.pos = j + 1
		call := &macroCallNode{name: name}
		call.args = p.macroArgs()
		call.text = src[i:p.pos]
		p.gobbleNewline()
		p.root.calls = append(p.root.calls, call)
		t.add(call)
	}
	return ""
}

// open expects "(" (after optional spaces) at p.pos.
func (p *parser) open(what string) bool {
	j := p.pos
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
		j++
	}
	if j >= len(p.src) || p.src[j] != '(' {
		p.fail(p.pos, "#%s needs (", what)
		return false
	}
	p.pos = j + 1
	return true
}

// closeArgs expects ")" and applies the newline gobbling.
func (p *parser) closeArgs(lx *lexer, what string) bool {
	if tok := lx.next(); tok.kind != tRParen {
		p.fail(tok.pos, "#%s: expected ), found %s", what, tok.describe())
		return false
	}
	p.pos = lx.pos
	p.gobbleNewline()
	return true
}

// optionalArgs skips "($foreach)"-style arguments of #break and #stop.
func (p *parser) optionalArgs() {
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		j := strings.IndexByte(p.src[p.pos:], ')')
		if j > 0 && !strings.ContainsAny(p.src[p.pos:p.pos+j], "\n#") {
			p.pos += j + 1
			p.gobbleNewline()
		}
	}
}

func (p *parser) setDirective(t *textBuf) {
	if !p.open("set") {
		return
	}
	lx := p.lexer()
	tok := lx.next()
	if tok.kind != tRef {
		p.fail(tok.pos, "#set: expected a reference, found %s", tok.describe())
		return
	}
	if eq := lx.next(); eq.kind != tAssign {
		p.fail(eq.pos, "#set: expected =, found %s", eq.describe())
		return
	}
	value := lx.expression()
	if p.failed() || !p.closeArgs(lx, "set") {
		return
	}
	t.add(&setNode{target: tok.ref, value: value})
}

func (p *parser) ifDirective(t *textBuf) {
	n := &ifNode{}
	for {
		if !p.open("if") {
			return
		}
		lx := p.lexer()
		cond := lx.expression()
		if p.failed() || !p.closeArgs(lx, "if") {
			return
		}
		body, term := p.block()
		if p.failed() {
			return
		}
		n.conds = append(n.conds, cond)
		n.blocks = append(n.blocks, body)
		switch term {
		case "elseif":
			continue
		case "else":
			els, term := p.block()
			if p.failed() {
				return
			}
			if term != "end" {
				p.fail(p.pos, "#if without #end")
				return
			}
			n.els = els
		case "end":
		default:
			p.fail(p.pos, "#if without #end")
			return
		}
		t.add(n)
		return
	}
}

func (p *parser) foreachDirective(t *textBuf) {
	if !p.open("foreach") {
		return
	}
	lx := p.lexer()
	v := lx.next()
	if v.kind != tRef || len(v.ref.mods) > 0 {
		p.fail(v.pos, "#foreach: expected a variable, found %s", v.describe())
		return
	}
	if in := lx.next(); in.kind != tWord || in.text != "in" {
		p.fail(in.pos, "#foreach: expected in, found %s", in.describe())
		return
	}
	iter := lx.expression()
	if p.failed() || !p.closeArgs(lx, "foreach") {
		return
	}
	body, term := p.block()
	if p.failed() {
		return
	}
	if term != "end" {
		p.fail(p.pos, "#foreach without #end")
		return
	}
	t.add(&foreachNode{slot: v.ref.slot, iter: iter, body: body})
}

func (p *parser) defineDirective(t *textBuf) {
	if !p.open("define") {
		return
	}
	lx := p.lexer()
	v := lx.next()
	if v.kind != tRef || len(v.ref.mods) > 0 {
		p.fail(v.pos, "#define: expected a variable, found %s", v.describe())
		return
	}
	if !p.closeArgs(lx, "define") {
		return
	}
	body, term := p.block()
	if p.failed() {
		return
	}
	if term != "end" {
		p.fail(p.pos, "#define without #end")
		return
	}
	t.add(&defineNode{slot: v.ref.slot, block: &Block{nodes: body}})
}

func (p *parser) macroDirective() {
	if !p.open("macro") {
		return
	}
	lx := p.lexer()
	name := lx.next()
	if name.kind != tWord {
		p.fail(name.pos, "#macro: expected a name, found %s", name.describe())
		return
	}
	def := &macroDef{name: name.text}
	for {
		tok := lx.next()
		if tok.kind == tRParen {
			break
		}
		if tok.kind == tComma {
			continue
		}
		if tok.kind != tRef || len(tok.ref.mods) > 0 {
			p.fail(tok.pos, "#macro: expected a parameter, found %s", tok.describe())
			return
		}
		def.params = append(def.params, tok.ref.slot)
	}
	p.pos = lx.pos
	p.gobbleNewline()
	body, term := p.block()
	if p.failed() {
		return
	}
	if term != "end" {
		p.fail(p.pos, "#macro without #end")
		return
	}
	def.body = body
	p.macros[def.name] = def
}

// macroArgs reads a macro call's arguments (separated by spaces or
// commas) up to and including ")".
func (p *parser) macroArgs() []expr {
	lx := p.lexer()
	var args []expr
	for !p.failed() {
		lx.skipSpace()
		if lx.pos < len(p.src) && p.src[lx.pos] == ')' {
			lx.pos++
			break
		}
		if lx.pos < len(p.src) && p.src[lx.pos] == ',' {
			lx.pos++
			continue
		}
		if lx.pos >= len(p.src) {
			p.fail(lx.pos, "macro call without )")
			break
		}
		args = append(args, lx.unary())
	}
	p.pos = lx.pos
	return args
}

// reference parses a reference at i ("$" ...). It returns nil when the
// text there is not a reference (a lone "$", "$1", "${x").
func (p *parser) reference(i int) (ref *reference, raw string, end int) {
	src := p.src
	j := i + 1
	quiet := false
	if j < len(src) && src[j] == '!' {
		quiet = true
		j++
	}
	formal := false
	if j < len(src) && src[j] == '{' {
		formal = true
		j++
	}
	k := p.ident(j)
	if k == j {
		return nil, "", i
	}
	ref = &reference{name: src[j:k], quiet: quiet}
	ref.slot = p.slot(ref.name)
	j = k
	for j < len(src) && !p.failed() {
		if src[j] == '.' {
			k := p.ident(j + 1)
			if k == j+1 {
				break
			}
			m := modifier{kind: modProperty, name: src[j+1 : k]}
			if k < len(src) && src[k] == '(' {
				m.kind = modMethod
				m.site = new(CallSite)
				lx := p.lexerAt(k + 1)
				m.args = lx.list(tRParen, "method arguments")
				if p.failed() {
					return nil, "", i
				}
				k = lx.pos
			}
			ref.mods = append(ref.mods, m)
			j = k
			continue
		}
		if src[j] == '[' {
			lx := p.lexerAt(j + 1)
			save := p.root.err
			idx := lx.expression()
			if p.failed() || lx.next().kind != tRBracket {
				// Not an index after all: "$a[" is text.
				p.root.err = save
				break
			}
			ref.mods = append(ref.mods, modifier{kind: modIndex, args: []expr{idx}})
			j = lx.pos
			continue
		}
		break
	}
	if p.failed() {
		return nil, "", i
	}
	if formal {
		if j >= len(src) || src[j] != '}' {
			return nil, "", i
		}
		j++
	}
	return ref, src[i:j], j
}

// resolveMacros binds macro calls to their definitions (a macro may be
// called before the text that defines it).
func (p *parser) resolveMacros() {
	for _, c := range p.calls {
		c.def = p.macros[c.name]
	}
}

// Compile parses a template. The result is immutable and may be executed
// concurrently.
func Compile(src string) (*Template, error) {
	p := newParser(src)
	nodes, term := p.block()
	if p.err == nil && term != "" {
		p.fail(p.pos, "#%s without a matching directive", term)
	}
	if p.err != nil {
		return nil, p.err
	}
	p.resolveMacros()
	t := &Template{nodes: nodes, names: make([]string, len(p.syms)), source: src}
	for name, s := range p.syms {
		t.names[s] = name
	}
	t.slotForeach, t.hasForeach = p.syms["foreach"]
	t.slotCount, t.hasCount = p.syms["velocityCount"]
	t.slotHasNext, t.hasHasNext = p.syms["velocityHasNext"]
	t.static = len(nodes) == 0 || len(nodes) == 1 && isText(nodes[0])
	return t, nil
}

func isText(n node) bool {
	_, ok := n.(*textNode)
	return ok
}
