package vtl

import (
	"errors"
	"strings"
	"testing"
)

func render(t *testing.T, src string, vars map[string]any) string {
	t.Helper()
	tm, err := Compile(src)
	if err != nil {
		t.Fatalf("Compile(%q): %v", src, err)
	}
	out, err := tm.Execute(nil, func(name string) (any, bool) {
		v, ok := vars[name]
		return v, ok
	}, Limits{})
	if err != nil {
		t.Fatalf("Execute(%q): %v", src, err)
	}
	return string(out)
}

func TestRender(t *testing.T) {
	vars := map[string]any{
		"name":  "World",
		"n":     int64(3),
		"f":     2.5,
		"list":  []any{"a", "b", "c"},
		"nums":  []any{int64(1), int64(2), int64(3)},
		"m":     map[string]any{"k": "v", "n": int64(1)},
		"empty": "",
		"t":     true,
	}
	cases := []struct{ name, src, want string }{
		{"text", "hello", "hello"},
		{"ref", "hello $name!", "hello World!"},
		{"formal", "${name}s", "Worlds"},
		{"quiet", "[$!missing]", "[]"},
		{"null renders empty", "[$missing]", "[]"},
		{"dollar not ref", "cost $5 and $", "cost $5 and $"},
		{"trailing dot is text", "$name.", "World."},
		{"property of map", "$m.k", "v"},
		{"index map", `$m["k"]`, "v"},
		{"index list", "$list[1]", "b"},
		{"method", "$name.toUpperCase()", "WORLD"},
		{"chained", "$name.substring(1).length()", "4"},
		{"escape defined", `\$name`, "$name"},
		{"escape undefined", `\$missing`, `\$missing`},
		{"double backslash", `\\$name`, `\World`},
		{"escaped directive", `\#if`, "#if"},
		{"hash text", "# not #5 a", "# not #5 a"},
		{"line comment", "a## comment\nb", "ab"},
		{"block comment", "a#* x\ny *#b", "ab"},
		{"unparsed", "#[[$name #if]]#", "$name #if"},
		{"set", "#set($x = 5)$x", "5"},
		{"set eats leading space and newline", "a\n  #set($x = 1)\nb$x", "a\nb1"},
		{"set null keeps value", "#set($x = 1)#set($x = $missing)$x", "1"},
		{"set string interp", `#set($x = "hi $name")$x`, "hi World"},
		{"single quoted raw", `#set($x = 'hi $name')$x`, "hi $name"},
		{"backslash kept in literal", `#set($x = "a\\'b")$x`, `a\\'b`},
		{"if true", "#if($t)yes#end", "yes"},
		{"if else", "#if($missing)yes#else no#end", " no"},
		{"elseif", "#if($n == 1)one#elseif($n == 3)three#else other#end", "three"},
		{"empty string truthy", "#if($empty)yes#end", "yes"},
		{"if newline gobble", "#if(true)\nx\n#end\ny", "x\ny"},
		{"else newline gobble", "#if(false)\na\n#else\nb\n#end\n", "b\n"},
		{"indent kept", "  #if(true)\n  x\n  #end\n", "    x\n  "},
		{"foreach", "#foreach($i in $list)$i#if($foreach.hasNext),#end#end", "a,b,c"},
		{"foreach index count", "#foreach($i in $list)$foreach.index$foreach.count$velocityCount #end", "011 122 233 "},
		{"foreach restores var", "#set($i = 'x')#foreach($i in $list)#end$i", "x"},
		{"foreach map values", "#foreach($v in $m)$v;#end", "v;1;"},
		{"foreach null", "#foreach($v in $missing)x#end.", "."},
		{"break", "#foreach($i in $nums)#if($i == 2)#break#end$i#end", "1"},
		{"stop", "a#stop b", "a"},
		{"range", "#foreach($i in [1..3])$i#end", "123"},
		{"range down", "#foreach($i in [3..1])$i#end", "321"},
		{"list literal", `#set($l = [1, "a", true])$l`, "[1, a, true]"},
		{"map literal", `#set($mm = {"a": 1, "b": "x"})$mm`, "{a=1, b=x}"},
		{"map put", `#set($mm = {})#set($d = $mm.put("z", 1))$mm.z $mm.size()`, "1 1"},
		{"set property", `#set($mm = {})#set($mm.k = "v")$mm`, "{k=v}"},
		{"arith", "#set($x = 7 / 2)$x,#set($y = 7 % 3)$y,#set($z = 2 * 3 + 1)$z,#set($w = -$n)$w", "3,1,7,-3"},
		{"float arith", "#set($x = $f * 2)$x", "5.0"},
		{"div zero null", "#set($x = 1)#set($x = 1 / 0)$x", "1"},
		{"concat", `#set($s = "a" + 1)$s`, "a1"},
		{"compare", "#if($n > 2 && $n <= 3)ok#end", "ok"},
		{"word ops", "#if($n gt 2 and not ($n eq 4))ok#end", "ok"},
		{"or", "#if($missing || $t)ok#end", "ok"},
		{"not", "#if(!$missing)ok#end", "ok"},
		{"eq cross type", `#if($n == "3")ok#end`, "ok"},
		{"ne", `#if($name != "x")ok#end`, "ok"},
		{"string eq", `#if($name == "World")ok#end`, "ok"},
		{"define", "#define($d)[$name]#end$d$d", "[World][World]"},
		{"macro", "#macro(greet $who)Hi $who!#end#greet('Bob') #greet($name)", "Hi Bob! Hi World!"},
		{"unknown macro text", "#nomacro(1)", "#nomacro(1)"},
		{"replaceAll", `$name.replaceAll("o", "0")`, "W0rld"},
		{"replaceAll groups", `#set($s = "a-b")$s.replaceAll("(\w)-(\w)", "$2-$1")`, "b-a"},
		{"replaceAll aws doc", `#set($s = "it\'s")$s.replaceAll("\\'","'")`, "it's"},
		{"replace", `$name.replace("l", "L")`, "WorLd"},
		{"split", `#set($s = "a,b,,c,,")#foreach($p in $s.split(","))[$p]#end`, "[a][b][][c]"},
		{"split size", `$"a b".split(" ").size()`, "$\"a b\".split(\" \").size()"},
		{"contains", `$name.contains("orl") $list.contains("b") $m.containsKey("k")`, "true true true"},
		{"indexOf", `$name.indexOf("r") $list.indexOf("c")`, "2 2"},
		{"matches", `$name.matches("W.*") $name.matches("orl")`, "true false"},
		{"case", `$name.toLowerCase() $name.equalsIgnoreCase("world")`, "world true"},
		{"trim", `#set($s = "  x  ")[$s.trim()]`, "[x]"},
		{"starts ends", `$name.startsWith("W") $name.endsWith("d")`, "true true"},
		{"charAt", `$name.charAt(0)`, "W"},
		{"isEmpty", `$empty.isEmpty() $list.isEmpty() $m.isEmpty()`, "true false false"},
		{"list get size", `$list.get(2) $list.size()`, "c 3"},
		{"list add", `#set($l = [])#set($ok = $l.add(1))#set($ok = $l.add(2))$l`, "[1, 2]"},
		{"keySet", `#foreach($k in $m.keySet())$k=$m.get($k);#end`, "k=v;n=1;"},
		{"entrySet", `#foreach($e in $m.entrySet())$e.key:$e.value #end`, "k:v n:1 "},
		{"values", `$m.values()`, "[v, 1]"},
		{"length unicode", `#set($s = "héllo😀")$s.length()`, "7"},
		{"substring unicode", `#set($s = "héllo")$s.substring(1, 3)`, "él"},
		{"double format", "$f,#set($g = 1.0)$g,#set($h = 10000000.0)$h", "2.5,1.0,1.0E7"},
		{"velocity props", "$name.empty $list.empty", "false false"},
		{"interp nested quotes", `#set($q = "x")"$q"`, `"x"`},
		{"directive braces", "#{if}(true)a#{else}b#{end}", "a"},
		{"json like", "{\n  \"name\": \"$name\",\n  \"n\": $n\n}", "{\n  \"name\": \"World\",\n  \"n\": 3\n}"},
		{"foreach first last", "#foreach($i in $list)#if($foreach.first)F#end#if($foreach.last)L#end#end", "FL"},
		{"hyphen ident", "#set($a-b = 1)$a-b", "1"},
		{"self containing list", `#set($l = [1])#set($ok = $l.add($l))#if($l == $l)eq#end`, "eq"},
		{"set in string literal", `#set($a = "#if(true)y#end")$a`, "y"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := render(t, c.src, vars); got != c.want {
				t.Errorf("render(%q)\n got %q\nwant %q", c.src, got, c.want)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, src := range []string{
		"#if(true)x",
		"#foreach($x in $y)",
		"#end",
		"#set($x = )",
		"#set(x = 1)",
		"#if(",
		"#* never closed",
		"#parse('x')",
		"#set($x = \"unterminated)",
		"#macro(m $a)x",
		"$a.b(,)",
	} {
		if _, err := Compile(src); err == nil {
			t.Errorf("Compile(%q) = nil error", src)
		} else {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 {
				t.Errorf("Compile(%q) error %v is not a SyntaxError with a line", src, err)
			}
		}
	}
}

func TestRuntimeErrors(t *testing.T) {
	for _, src := range []string{
		`#set($s = "abc")$s.substring(5)`,
		`#set($l = [1])$l.get(3)`,
		`#set($s = "abc")$s.replaceAll("(?<=a)b", "x")`,
		`#set($s = "abc")$s.replaceAll("b", "$9")`,
	} {
		tm, err := Compile(src)
		if err != nil {
			t.Fatalf("Compile(%q): %v", src, err)
		}
		if _, err := tm.Execute(nil, nil, Limits{}); err == nil {
			t.Errorf("Execute(%q) = nil error", src)
		}
	}
}

func TestBudgets(t *testing.T) {
	cases := []struct {
		name, src string
		lim       Limits
	}{
		{"steps", "#foreach($i in [1..1000])#foreach($j in [1..1000])x#end#end", Limits{MaxSteps: 10000}},
		{"output", "#foreach($i in [1..1000])xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx#end", Limits{MaxOutput: 1000}},
		{"doubling", `#set($s = "xxxxxxxx")#foreach($i in [1..100])#set($s = "$s$s")#end`, Limits{MaxOutput: 1 << 20}},
		{"recursion", "#macro(r)#r()#end#r()", Limits{}},
		{"define recursion", "#define($d)$d#end$d", Limits{}},
		{"huge range", "#set($r = [1..2000000000])", Limits{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tm, err := Compile(c.src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tm.Execute(nil, nil, c.lim)
			if !errors.Is(err, ErrBudget) {
				t.Fatalf("Execute = %v, want ErrBudget", err)
			}
		})
	}
}

func TestForeachMaxLoops(t *testing.T) {
	got := render(t, "#foreach($i in [1..1500])x#end", nil)
	if len(got) != DefaultMaxLoops {
		t.Fatalf("rendered %d iterations, want the %d cap", len(got), DefaultMaxLoops)
	}
	if got := render(t, "#foreach($i in [1..1500])#if(!$foreach.hasNext)last=$foreach.count#end#end", nil); got != "last=1000" {
		t.Fatalf("hasNext at the cap: %q", got)
	}
}

func TestJavaSplitAndReplace(t *testing.T) {
	cases := []struct{ src, want string }{
		{`#set($s = ",a,b")#foreach($p in $s.split(","))[$p]#end`, "[][a][b]"},
		{`#set($s = "a1b2c3")$s.split("\d", 2)`, "[a, b2c3]"},
		{`#set($s = "abc")$s.split("")`, "[a, b, c]"},
		{`#set($s = "a.b")$s.replaceAll("\.", "\$")`, "a$b"},
		{`#set($s = "aaa")$s.replaceFirst("a", "b")`, "baa"},
		{`#set($s = "x")$s.replaceAll("(?<n>x)", '[${n}]')`, "[x]"},
	}
	for _, c := range cases {
		if got := render(t, c.src, nil); got != c.want {
			t.Errorf("render(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestConcurrentExecute(t *testing.T) {
	tm, err := Compile(`#foreach($i in $items)$i.replaceAll("[aeiou]", "_")#if($foreach.hasNext),#end#end`)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func() {
			var last string
			for i := 0; i < 200; i++ {
				out, err := tm.Execute(nil, func(name string) (any, bool) {
					return []any{"apple", "kiwi"}, name == "items"
				}, Limits{})
				if err != nil {
					last = err.Error()
					break
				}
				last = string(out)
			}
			done <- last
		}()
	}
	for g := 0; g < 8; g++ {
		if got := <-done; got != "_ppl_,k_w_" {
			t.Fatalf("concurrent render = %q", got)
		}
	}
}

func TestFormatDouble(t *testing.T) {
	for f, want := range map[float64]string{
		249.99: "249.99", 1: "1.0", 0.001: "0.001", 0.0001: "1.0E-4", 1e7: "1.0E7",
		1.5e10: "1.5E10", -3.25: "-3.25", 123456.789: "123456.789",
	} {
		if got := FormatDouble(f); got != want {
			t.Errorf("FormatDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestStatic(t *testing.T) {
	tm, _ := Compile(`{"statusCode": 200}`)
	if !tm.Static() {
		t.Fatal("plain text template not static")
	}
	tm, _ = Compile(`{"statusCode": $code}`)
	if tm.Static() {
		t.Fatal("template with a reference is static")
	}
	if !strings.Contains(tm.Source(), "$code") {
		t.Fatal("Source lost")
	}
}

func TestSelfReference(t *testing.T) {
	got := render(t, `#set($l = [1])#set($ok = $l.add($l))$l`, nil)
	if !strings.HasPrefix(got, "[1, [1, [1") || !strings.Contains(got, "...") {
		t.Fatalf("self-containing list rendered %q", got)
	}
}
