package vtl

import (
	"fmt"
	"math"
	"strings"
	"sync"
)

// Template is a compiled template: immutable, safe for concurrent use.
type Template struct {
	nodes  []node
	names  []string // variable slot → name
	source string
	static bool // plain text: Execute only copies it

	slotForeach, slotCount, slotHasNext int
	hasForeach, hasCount, hasHasNext    bool
}

// Limits bound one execution. Zero fields take the defaults.
type Limits struct {
	// MaxSteps bounds the work: every node, expression, iteration and
	// method call is a step.
	MaxSteps int
	// MaxOutput bounds the bytes written and the bytes of strings,
	// lists and maps the template builds.
	MaxOutput int
	// MaxLoops is the iteration cap of one #foreach; further items are
	// skipped silently (Velocity's directive.foreach.maxloops; API
	// Gateway sets 1000).
	MaxLoops int
	// MaxDepth bounds macro and #define recursion.
	MaxDepth int
}

// Default limits.
const (
	DefaultMaxSteps  = 1_000_000
	DefaultMaxOutput = 10 << 20 // API Gateway's payload limit
	DefaultMaxLoops  = 1000
	DefaultMaxDepth  = 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxSteps <= 0 {
		l.MaxSteps = DefaultMaxSteps
	}
	if l.MaxOutput <= 0 {
		l.MaxOutput = DefaultMaxOutput
	}
	if l.MaxLoops <= 0 {
		l.MaxLoops = DefaultMaxLoops
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Globals supplies the template's initial variables by name ($input,
// $context, ...). It is asked once per variable the template uses.
type Globals func(name string) (any, bool)

// Source returns the template text.
func (t *Template) Source() string { return t.source }

// Static reports whether the template is plain text (no references or
// directives that produce anything but itself).
func (t *Template) Static() bool { return t.static }

// EvalError is a failure while executing: a method that threw, a budget
// exceeded.
type EvalError struct {
	Msg string
	Err error
}

func (e *EvalError) Error() string { return e.Msg }
func (e *EvalError) Unwrap() error { return e.Err }

// state is one execution.
type state struct {
	t      *Template
	slots  []any
	out    []byte
	steps  int
	budget int // bytes left for output and built values
	lim    Limits
	depth  int
	err    error
	// control flow
	stop, brk bool
	args      []any // method argument stack
}

func (st *state) popArgs(base int) {
	clear(st.args[base:])
	st.args = st.args[:base]
}

var statePool = sync.Pool{New: func() any { return new(state) }}

// Execute renders the template, appending to dst.
func (t *Template) Execute(dst []byte, globals Globals, lim Limits) ([]byte, error) {
	if t.static {
		for _, n := range t.nodes {
			dst = append(dst, n.(*textNode).text...)
		}
		return dst, nil
	}
	st := statePool.Get().(*state)
	defer func() {
		clear(st.slots)
		clear(st.args)
		*st = state{slots: st.slots[:0], args: st.args[:0]}
		statePool.Put(st)
	}()
	st.t = t
	st.lim = lim.withDefaults()
	st.budget = st.lim.MaxOutput
	if cap(st.slots) < len(t.names) {
		st.slots = make([]any, len(t.names))
	}
	st.slots = st.slots[:len(t.names)]
	if globals != nil {
		for i, name := range t.names {
			if v, ok := globals(name); ok {
				st.slots[i] = Normalize(v)
			}
		}
	}
	st.out = dst
	st.render(t.nodes)
	out := st.out
	st.out = nil
	if st.err != nil {
		return out, st.err
	}
	return out, nil
}

func (st *state) fail(err error) {
	if st.err == nil {
		st.err = err
	}
}

func (st *state) failf(format string, args ...any) {
	st.fail(&EvalError{Msg: fmt.Sprintf(format, args...)})
}

// step counts one unit of work; false once the budget is gone.
func (st *state) step() bool {
	st.steps++
	if st.steps > st.lim.MaxSteps {
		st.fail(&EvalError{Msg: fmt.Sprintf("template exceeded %d evaluation steps", st.lim.MaxSteps), Err: ErrBudget})
		return false
	}
	return st.err == nil
}

// spend charges n bytes of output or built values.
func (st *state) spend(n int) bool {
	st.budget -= n
	if st.budget < 0 {
		st.fail(&EvalError{Msg: fmt.Sprintf("template output exceeded %d bytes", st.lim.MaxOutput), Err: ErrBudget})
		return false
	}
	return true
}

func (st *state) halted() bool { return st.err != nil || st.stop || st.brk }

func (st *state) write(s string) {
	if st.spend(len(s)) {
		st.out = append(st.out, s...)
	}
}

func (st *state) writeValue(v any) {
	if v == nil {
		return
	}
	if b, ok := v.(*Block); ok {
		st.renderBlock(b)
		return
	}
	n := len(st.out)
	st.out = appendValue(st.out, v)
	if !st.spend(len(st.out) - n) {
		st.out = st.out[:n]
	}
}

func (st *state) renderBlock(b *Block) {
	st.depth++
	defer func() { st.depth-- }()
	if st.depth > st.lim.MaxDepth {
		st.fail(&EvalError{Msg: "#define or macro recursion too deep", Err: ErrBudget})
		return
	}
	st.render(b.nodes)
}

func (st *state) render(nodes []node) {
	for _, n := range nodes {
		if st.halted() || !st.step() {
			return
		}
		switch n := n.(type) {
		case *textNode:
			st.write(n.text)
		case *refNode:
			st.writeValue(st.resolve(n.ref))
		case *escapedRefNode:
			if st.slots[n.ref.slot] != nil {
				st.write(strings.Repeat(`\`, n.bs/2))
			} else {
				st.write(strings.Repeat(`\`, n.bs))
			}
			st.write(n.raw)
		case *setNode:
			st.set(n)
		case *ifNode:
			st.ifNode(n)
		case *foreachNode:
			st.foreach(n)
		case breakNode:
			st.brk = true
		case stopNode:
			st.stop = true
		case *defineNode:
			st.slots[n.slot] = n.block
		case *macroCallNode:
			st.macroCall(n)
		}
	}
}

func (st *state) set(n *setNode) {
	v := st.eval(n.value)
	if st.err != nil {
		return
	}
	if v == nil {
		// Velocity 1.7: a null right-hand side leaves the target as it was.
		return
	}
	ref := n.target
	if len(ref.mods) == 0 {
		st.slots[ref.slot] = v
		return
	}
	obj := st.resolvePrefix(ref, len(ref.mods)-1)
	last := ref.mods[len(ref.mods)-1]
	switch last.kind {
	case modProperty:
		switch o := obj.(type) {
		case *Map:
			st.spend(len(last.name) + 16)
			o.Put(last.name, v)
		case Setter:
			if err := o.SetProperty(last.name, v); err != nil {
				st.fail(&EvalError{Msg: err.Error(), Err: err})
			}
		}
	case modIndex:
		idx := st.eval(last.args[0])
		switch o := obj.(type) {
		case *Map:
			st.spend(16)
			o.Put(toString(idx), v)
		case *List:
			if i, ok := idx.(int64); ok && i >= 0 && i < int64(len(o.Items)) {
				o.Items[i] = v
			}
		}
	}
}

func (st *state) ifNode(n *ifNode) {
	for i, c := range n.conds {
		v := st.eval(c)
		if st.err != nil {
			return
		}
		if truthy(v) {
			st.render(n.blocks[i])
			return
		}
	}
	st.render(n.els)
}

// foreachScope is $foreach.
type foreachScope struct {
	index   int
	hasNext bool
	parent  any
}

func (f *foreachScope) Property(name string) (any, bool) {
	switch name {
	case "index":
		return int64(f.index), true
	case "count":
		return int64(f.index + 1), true
	case "hasNext":
		return f.hasNext, true
	case "first":
		return f.index == 0, true
	case "last":
		return !f.hasNext, true
	case "parent":
		return f.parent, true
	}
	return nil, false
}

func (f *foreachScope) Call(_ *CallSite, name string, args []any) (any, bool, error) {
	switch name {
	case "getIndex":
		return int64(f.index), true, nil
	case "getCount":
		return int64(f.index + 1), true, nil
	case "hasNext", "getHasNext":
		return f.hasNext, true, nil
	case "isFirst", "getFirst":
		return f.index == 0, true, nil
	case "isLast", "getLast":
		return !f.hasNext, true, nil
	case "getParent":
		return f.parent, true, nil
	}
	return nil, false, nil
}

func (st *state) foreach(n *foreachNode) {
	v := st.eval(n.iter)
	if st.err != nil {
		return
	}
	var items []any
	var keys []string
	var m *Map
	switch x := v.(type) {
	case *List:
		items = x.Items
	case *Map:
		// Velocity iterates a map's values.
		m, keys = x, x.keys
	case nil:
		return
	default:
		// Velocity logs and skips what it cannot iterate.
		return
	}
	t := st.t
	saved := st.slots[n.slot]
	var savedForeach, savedCount, savedHasNext any
	scope := &foreachScope{}
	if t.hasForeach {
		savedForeach = st.slots[t.slotForeach]
		scope.parent = savedForeach
	}
	if t.hasCount {
		savedCount = st.slots[t.slotCount]
	}
	if t.hasHasNext {
		savedHasNext = st.slots[t.slotHasNext]
	}
	count := len(items)
	if m != nil {
		count = len(keys)
	}
	for i := 0; i < count; i++ {
		if i >= st.lim.MaxLoops || !st.step() {
			break
		}
		var item any
		if m != nil {
			if i >= len(m.keys) { // the body removed entries
				break
			}
			item = m.vals[i]
		} else {
			if i >= len(items) {
				break
			}
			item = items[i]
		}
		st.slots[n.slot] = item
		scope.index = i
		scope.hasNext = i+1 < count && i+1 < st.lim.MaxLoops
		if t.hasForeach {
			st.slots[t.slotForeach] = scope
		}
		if t.hasCount {
			st.slots[t.slotCount] = int64(i + 1)
		}
		if t.hasHasNext {
			st.slots[t.slotHasNext] = scope.hasNext
		}
		st.render(n.body)
		if st.brk {
			st.brk = false
			break
		}
		if st.err != nil || st.stop {
			break
		}
	}
	st.slots[n.slot] = saved
	if t.hasForeach {
		st.slots[t.slotForeach] = savedForeach
	}
	if t.hasCount {
		st.slots[t.slotCount] = savedCount
	}
	if t.hasHasNext {
		st.slots[t.slotHasNext] = savedHasNext
	}
}

func (st *state) macroCall(n *macroCallNode) {
	def := n.def
	if def == nil {
		st.write(n.text)
		return
	}
	st.depth++
	defer func() { st.depth-- }()
	if st.depth > st.lim.MaxDepth {
		st.fail(&EvalError{Msg: "macro #" + def.name + " recursion too deep", Err: ErrBudget})
		return
	}
	saved := make([]any, len(def.params))
	args := make([]any, len(def.params))
	for i := range def.params {
		if i < len(n.args) {
			args[i] = st.eval(n.args[i])
		}
	}
	for i, s := range def.params {
		saved[i] = st.slots[s]
		st.slots[s] = args[i]
	}
	st.render(def.body)
	st.brk = false
	for i, s := range def.params {
		st.slots[s] = saved[i]
	}
}

// resolve evaluates a reference; nil when any part of it is null.
func (st *state) resolve(ref *reference) any {
	return st.resolvePrefix(ref, len(ref.mods))
}

// resolvePrefix evaluates the root and the first n modifiers.
func (st *state) resolvePrefix(ref *reference, n int) any {
	v := st.slots[ref.slot]
	for i := 0; i < n && v != nil; i++ {
		if !st.step() {
			return nil
		}
		m := &ref.mods[i]
		switch m.kind {
		case modProperty:
			v = st.property(v, m.name)
		case modIndex:
			v = st.index(v, st.eval(m.args[0]))
		case modMethod:
			// Arguments live on a stack reused across calls (nested calls
			// push above and pop back before this one reads its slice).
			base := len(st.args)
			for _, a := range m.args {
				st.args = append(st.args, st.eval(a))
			}
			if st.err != nil {
				st.popArgs(base)
				return nil
			}
			v = st.call(v, m, st.args[base:len(st.args):len(st.args)])
			st.popArgs(base)
		}
	}
	return v
}

func (st *state) property(v any, name string) any {
	switch x := v.(type) {
	case *Map:
		r, _ := x.Get(name)
		return r
	case Object:
		r, _ := x.Property(name)
		return Normalize(r)
	case *Block:
		return st.property(st.blockString(x), name)
	}
	// Velocity resolves $x.name through getName(), isName(): map the
	// common ones to the built-in methods.
	getter := "get" + strings.ToUpper(name[:1]) + name[1:]
	if r, ok, _ := st.builtin(v, nil, getter, nil); ok {
		return r
	}
	if r, ok, _ := st.builtin(v, nil, "is"+strings.ToUpper(name[:1])+name[1:], nil); ok {
		return r
	}
	return nil
}

func (st *state) index(v, idx any) any {
	switch x := v.(type) {
	case *List:
		i, ok := idx.(int64)
		if !ok {
			return nil
		}
		if i < 0 {
			i += int64(len(x.Items))
		}
		if i < 0 || i >= int64(len(x.Items)) {
			st.failf("index %d out of bounds for length %d", i, len(x.Items))
			return nil
		}
		return x.Items[i]
	case *Map:
		r, _ := x.Get(toString(idx))
		return r
	case Object:
		r, _ := x.Property(toString(idx))
		return Normalize(r)
	}
	return nil
}

func (st *state) call(v any, m *modifier, args []any) any {
	if o, ok := v.(Object); ok {
		r, ok, err := o.Call(m.site, m.name, args)
		if err != nil {
			st.fail(&EvalError{Msg: err.Error(), Err: err})
			return nil
		}
		if ok {
			return Normalize(r)
		}
		return nil
	}
	if b, ok := v.(*Block); ok {
		v = st.blockString(b)
	}
	r, _, err := st.builtin(v, m.site, m.name, args)
	if err != nil {
		st.fail(&EvalError{Msg: err.Error(), Err: err})
		return nil
	}
	return r
}

// blockString renders a #define block to a string (for method calls on
// it).
func (st *state) blockString(b *Block) string {
	saved := st.out
	st.out = nil
	st.renderBlock(b)
	s := string(st.out)
	st.out = saved
	return s
}

// eval computes an expression.
func (st *state) eval(e expr) any {
	if !st.step() {
		return nil
	}
	switch e := e.(type) {
	case *litExpr:
		return e.v
	case *refExpr:
		v := st.resolve(e.ref)
		if b, ok := v.(*Block); ok {
			return st.blockString(b)
		}
		return v
	case *interpExpr:
		saved := st.out
		st.out = nil
		st.render(e.nodes)
		s := string(st.out)
		st.out = saved
		return s
	case *listExpr:
		l := &List{Items: make([]any, 0, len(e.items))}
		st.spend(16 * len(e.items))
		for _, it := range e.items {
			l.Items = append(l.Items, st.eval(it))
		}
		return l
	case *rangeExpr:
		from, ok1 := toInt(st.eval(e.from))
		to, ok2 := toInt(st.eval(e.to))
		if !ok1 || !ok2 {
			return nil
		}
		n := to - from
		if n < 0 {
			n = -n
		}
		if !st.spend(int(min(n+1, math.MaxInt32)) * 8) {
			return nil
		}
		l := &List{Items: make([]any, 0, n+1)}
		step := int64(1)
		if to < from {
			step = -1
		}
		for i := from; ; i += step {
			l.Items = append(l.Items, i)
			if i == to {
				break
			}
		}
		return l
	case *mapExpr:
		m := NewMap(len(e.keys))
		st.spend(32 * len(e.keys))
		for i := range e.keys {
			m.Put(toString(st.eval(e.keys[i])), st.eval(e.vals[i]))
		}
		return m
	case *unExpr:
		x := st.eval(e.x)
		if e.op == opNot {
			return !truthy(x)
		}
		switch n := x.(type) {
		case int64:
			return -n
		case float64:
			return -n
		}
		return nil
	case *binExpr:
		return st.binary(e)
	}
	return nil
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), true
	case string:
		var n int64
		_, err := fmt.Sscan(strings.TrimSpace(x), &n)
		return n, err == nil
	}
	return 0, false
}

func (st *state) binary(e *binExpr) any {
	switch e.op {
	case opAnd:
		return truthy(st.eval(e.l)) && truthy(st.eval(e.r))
	case opOr:
		return truthy(st.eval(e.l)) || truthy(st.eval(e.r))
	}
	l, r := st.eval(e.l), st.eval(e.r)
	switch e.op {
	case opEq:
		return valuesEqual(l, r)
	case opNe:
		return !valuesEqual(l, r)
	case opLt, opLe, opGt, opGe:
		c, ok := compare(l, r)
		if !ok {
			return false
		}
		switch e.op {
		case opLt:
			return c < 0
		case opLe:
			return c <= 0
		case opGt:
			return c > 0
		default:
			return c >= 0
		}
	}
	return st.arith(e.op, l, r)
}

// compare orders numbers (and, as Velocity 1.7 does for Comparables of
// one class, strings).
func compare(l, r any) (int, bool) {
	if a, ok := number(l); ok {
		if b, ok := number(r); ok {
			li, lInt := l.(int64)
			ri, rInt := r.(int64)
			switch {
			case lInt && rInt && li < ri, !(lInt && rInt) && a < b:
				return -1, true
			case lInt && rInt && li > ri, !(lInt && rInt) && a > b:
				return 1, true
			}
			return 0, true
		}
	}
	if a, ok := l.(string); ok {
		if b, ok := r.(string); ok {
			return strings.Compare(a, b), true
		}
	}
	return 0, false
}

func (st *state) arith(op opKind, l, r any) any {
	if op == opAdd {
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			if l == nil || r == nil {
				return nil
			}
			s := toString(l) + toString(r)
			if !st.spend(len(s)) {
				return nil
			}
			return s
		}
	}
	li, lInt := l.(int64)
	ri, rInt := r.(int64)
	if lInt && rInt {
		switch op {
		case opAdd:
			return li + ri
		case opSub:
			return li - ri
		case opMul:
			return li * ri
		case opDiv:
			if ri == 0 {
				return nil // Velocity logs and yields null
			}
			return li / ri
		case opMod:
			if ri == 0 {
				return nil
			}
			return li % ri
		}
		return nil
	}
	a, ok1 := number(l)
	b, ok2 := number(r)
	if !ok1 || !ok2 {
		return nil
	}
	switch op {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opDiv:
		if b == 0 {
			return nil
		}
		return a / b
	case opMod:
		if b == 0 {
			return nil
		}
		return math.Mod(a, b)
	}
	return nil
}
