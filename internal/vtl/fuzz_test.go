package vtl

import (
	"testing"
)

// FuzzTemplate checks that any text either fails to compile or executes
// to completion within its budget, without panicking.
func FuzzTemplate(f *testing.F) {
	for _, seed := range []string{
		"hello $name",
		"#set($x = [1..5])#foreach($i in $x)$i#if($foreach.hasNext),#end#end",
		`#set($m = {"a": 1})$m.a $m.keySet() $m.put("b", [1, 2])`,
		`#if($a == 1 && !$b || $c gt 2)x#elseif($d)y#else z#end`,
		`#macro(m $a)[$a]#m($a)#end#m(1)`,
		`#define($d)$d#end$d`,
		`$s.replaceAll("(a+)+b", "$1").split("\\s").size()`,
		`\$a \\$b \#if ## c
#* d *# #[[ e ]]#`,
		`${a.b[0].c("x", 'y', 1.5, -2)}`,
		`#foreach($i in [1..100000])#foreach($j in [1..100000])$i$j#end#end`,
		`#set($s = "ab")#foreach($i in [1..64])#set($s = "$s$s")#end$s.length()`,
	} {
		f.Add(seed)
	}
	lim := Limits{MaxSteps: 20000, MaxOutput: 1 << 16, MaxLoops: 1000, MaxDepth: 10}
	f.Fuzz(func(t *testing.T, src string) {
		tm, err := Compile(src)
		if err != nil {
			return
		}
		out, _ := tm.Execute(nil, func(name string) (any, bool) {
			switch name {
			case "name", "s":
				return "World aab", true
			case "a":
				return map[string]any{"b": []any{map[string]any{"c": "x"}}}, true
			case "n":
				return int64(7), true
			}
			return nil, false
		}, lim)
		if len(out) > lim.MaxOutput+1<<16 {
			t.Fatalf("output %d bytes over the budget", len(out))
		}
	})
}
