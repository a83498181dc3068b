package vtl

import (
	"regexp"
	"sync/atomic"
)

// The AST. Template text compiles into a list of nodes (what is written
// or done) whose directives hold expressions (what is computed).

type node any

// textNode is literal output.
type textNode struct{ text string }

// refNode writes a reference's value: $a.b, $!a, ${a}.
type refNode struct {
	ref *reference
	// raw is the reference as written, for \$a escapes.
	raw string
}

// escapedRefNode is \$a: the reference's text when $a is defined, the
// text with its backslash when it is not (Velocity 1.7). bs is the
// number of backslashes written (odd).
type escapedRefNode struct {
	ref *reference
	raw string
	bs  int
}

// setNode is #set($target = value).
type setNode struct {
	target *reference
	value  expr
}

// ifNode is #if/#elseif/#else/#end.
type ifNode struct {
	conds  []expr
	blocks [][]node
	els    []node
}

// foreachNode is #foreach($v in expr) ... #end.
type foreachNode struct {
	slot int
	iter expr
	body []node
}

type breakNode struct{}
type stopNode struct{}

// defineNode is #define($name) ... #end.
type defineNode struct {
	slot  int
	block *Block
}

// macroDef is a #macro(name $a $b) ... #end definition.
type macroDef struct {
	name   string
	params []int // slots
	body   []node
}

// macroCallNode is #name(args); resolved to its definition after
// parsing. An unknown name renders its source text.
type macroCallNode struct {
	name  string
	args  []expr
	def   *macroDef
	text  string
	depth int
}

// reference is $root followed by property, index and method modifiers.
type reference struct {
	name  string
	slot  int
	mods  []modifier
	quiet bool
}

type modKind uint8

const (
	modProperty modKind = iota
	modMethod
	modIndex
)

type modifier struct {
	kind modKind
	name string
	args []expr // method arguments, or the one index expression
	site *CallSite
}

// CallSite is one method call in a template's source. Host objects may
// keep something compiled from the call's arguments there (a regular
// expression, a JSONPath) so that a call whose argument does not change —
// always, when it is a literal — compiles it once, not per request. The
// cache holds one entry and is safe for concurrent use.
type CallSite struct {
	cached atomic.Pointer[siteEntry]
}

type siteEntry struct {
	key string
	val any
}

// Load returns what was stored for key.
func (s *CallSite) Load(key string) (any, bool) {
	if s == nil {
		return nil, false
	}
	if e := s.cached.Load(); e != nil && e.key == key {
		return e.val, true
	}
	return nil, false
}

// Store remembers val for key (replacing any other key's entry).
func (s *CallSite) Store(key string, val any) {
	if s != nil {
		s.cached.Store(&siteEntry{key: key, val: val})
	}
}

// compiledRegexp is what the string methods cache at a call site.
type compiledRegexp struct {
	re  *regexp.Regexp
	err error
}

// Expressions.

type expr any

type litExpr struct{ v any } // string, int64, float64, bool

// interpExpr is a double-quoted string with references or directives.
type interpExpr struct{ nodes []node }

type refExpr struct{ ref *reference }

type listExpr struct{ items []expr }

type rangeExpr struct{ from, to expr }

type mapExpr struct{ keys, vals []expr }

type opKind uint8

const (
	opOr opKind = iota
	opAnd
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opMod
	opNot
	opNeg
)

type binExpr struct {
	op   opKind
	l, r expr
}

type unExpr struct {
	op opKind
	x  expr
}
