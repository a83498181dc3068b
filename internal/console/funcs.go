package console

import (
	"encoding/json"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// funcs are the template helpers.
var funcs = template.FuncMap{
	"apiHref":   apiHref,
	"stageHref": stageHref,
	"methodHref": func(apiID, stage, path, verb string) string {
		return stageHref(apiID, stage) + "method?" + url.Values{"path": {path}, "verb": {verb}}.Encode()
	},
	"methodPrefix": methodPatchPrefix,
	"methodKey":    apigw.MethodSettingKey,
	// keyPath appends a map key to a patch path, escaped as a JSON
	// pointer segment: "/variables/" + "a/b" -> "/variables/a~1b".
	"keyPath": func(prefix, key string) string { return prefix + pointerEscape(key) },
	// op renders one patch operation as the JSON a data-op attribute holds.
	"op": func(op, path, from, value string) string {
		m := map[string]string{"op": op, "path": path}
		if from != "" {
			m["from"] = from
		}
		if value != "" {
			m["value"] = value
		}
		b, _ := json.Marshal(m)
		return string(b)
	},
	"num":  func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) },
	"time": formatTime,
	"kvTable": func(kind, prefix, keyLabel, valueLabel, noun string, rows []kv) kvTable {
		return kvTable{Kind: kind, Prefix: prefix, KeyLabel: keyLabel, ValueLabel: valueLabel, Noun: noun, Rows: rows}
	},
}

// pointerEscape escapes one JSON-pointer segment ("~" -> "~0", "/" -> "~1").
func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// kvTable is the argument of the "kvrows" template: editable key/value
// rows whose changes become patch operations under Prefix (or, for tags,
// TagResource/UntagResource calls when Prefix is empty).
type kvTable struct {
	Kind, Prefix, KeyLabel, ValueLabel, Noun string
	Rows                                     []kv
}
