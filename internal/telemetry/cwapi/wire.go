package cwapi

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// The three protocols carry the same shapes (CloudWatch's Smithy model:
// member names as in the API reference). Each request is first decoded
// into a tree of map[string]any, []any and scalars, which bind copies
// into an operation's input struct; outputs are structs that the
// protocol's encoder walks. One reflective walk per management call,
// never on the data plane.

// fromQuery builds the tree of an awsQuery form: "A.member.2.B=x" is
// {"A": {"member": {"2": {"B": "x"}}}}; bind turns such member maps into
// lists.
func fromQuery(form url.Values) map[string]any {
	root := map[string]any{}
	for key, vs := range form {
		if key == "Action" || key == "Version" || len(vs) == 0 {
			continue
		}
		segs := strings.Split(key, ".")
		cur := root
		for i, seg := range segs {
			if i == len(segs)-1 {
				cur[seg] = vs[0]
				break
			}
			next, ok := cur[seg].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[seg] = next
			}
			cur = next
		}
	}
	return root
}

// fromCBOR converts a decoded CBOR value: tag 1 (epoch time) becomes a
// time.Time, numbers float64.
func fromCBOR(v cbor.Value) (any, error) {
	switch v := v.(type) {
	case cbor.Map:
		m := make(map[string]any, len(v))
		for k, e := range v {
			x, err := fromCBOR(e)
			if err != nil {
				return nil, err
			}
			m[k] = x
		}
		return m, nil
	case cbor.List:
		l := make([]any, len(v))
		for i, e := range v {
			x, err := fromCBOR(e)
			if err != nil {
				return nil, err
			}
			l[i] = x
		}
		return l, nil
	case cbor.String:
		return string(v), nil
	case cbor.Uint:
		return float64(v), nil
	case cbor.NegInt:
		return -float64(v), nil
	case cbor.Float32:
		return float64(v), nil
	case cbor.Float64:
		return float64(v), nil
	case cbor.Bool:
		return bool(v), nil
	case *cbor.Nil, *cbor.Undefined:
		return nil, nil
	case *cbor.Tag:
		if v.ID == 1 {
			t, err := cbor.AsTime(v)
			return t, err
		}
		return fromCBOR(v.Value)
	}
	return nil, fmt.Errorf("unsupported CBOR value %T", v)
}

// fromJSON decodes an awsJson body.
func fromJSON(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return map[string]any{}, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// bindError is a member whose value has the wrong type.
type bindError struct{ member, value string }

func (e *bindError) Error() string {
	return fmt.Sprintf("Value '%s' for parameter %s is invalid.", e.value, e.member)
}

var timeType = reflect.TypeFor[time.Time]()

// bind copies the tree src into dst (a pointer to a struct). Members are
// the struct's field names; unknown members are ignored, as AWS's
// deserializers do.
func bind(src any, dst any) error {
	return bindValue(src, reflect.ValueOf(dst).Elem(), "")
}

func bindValue(src any, dst reflect.Value, path string) error {
	if src == nil {
		return nil
	}
	bad := func() error { return &bindError{member: path, value: fmt.Sprint(src)} }
	if dst.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		return bindValue(src, dst.Elem(), path)
	}
	if dst.Type() == timeType {
		t, ok := asTime(src)
		if !ok {
			return bad()
		}
		dst.Set(reflect.ValueOf(t))
		return nil
	}
	switch dst.Kind() {
	case reflect.Struct:
		m, ok := src.(map[string]any)
		if !ok {
			return bad()
		}
		for i := range dst.NumField() {
			f := dst.Type().Field(i)
			v, ok := m[f.Name]
			if !ok {
				continue
			}
			p := f.Name
			if path != "" {
				p = path + "." + f.Name
			}
			if err := bindValue(v, dst.Field(i), p); err != nil {
				return err
			}
		}
	case reflect.Slice:
		list, ok := asList(src)
		if !ok {
			return bad()
		}
		s := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, e := range list {
			if err := bindValue(e, s.Index(i), fmt.Sprintf("%s.member.%d", path, i+1)); err != nil {
				return err
			}
		}
		dst.Set(s)
	case reflect.String:
		s, ok := src.(string)
		if !ok {
			return bad()
		}
		dst.SetString(s)
	case reflect.Int, reflect.Int32, reflect.Int64:
		f, ok := asNumber(src)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return bad()
		}
		dst.SetInt(int64(f))
	case reflect.Float64:
		f, ok := asNumber(src)
		if !ok {
			return bad()
		}
		dst.SetFloat(f)
	case reflect.Bool:
		switch v := src.(type) {
		case bool:
			dst.SetBool(v)
		case string:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return bad()
			}
			dst.SetBool(b)
		default:
			return bad()
		}
	default:
		return fmt.Errorf("cwapi: cannot bind %s", dst.Type())
	}
	return nil
}

// asList accepts a list, or an awsQuery member map {"member": {"1":..}}
// (indices are 1-based and may have gaps; they are taken in order).
func asList(src any) ([]any, bool) {
	switch v := src.(type) {
	case []any:
		return v, true
	case map[string]any:
		mem, ok := v["member"].(map[string]any)
		if !ok {
			return nil, len(v) == 0
		}
		type item struct {
			i int
			v any
		}
		items := make([]item, 0, len(mem))
		for k, e := range mem {
			i, err := strconv.Atoi(k)
			if err != nil || i < 1 {
				return nil, false
			}
			items = append(items, item{i, e})
		}
		sort.Slice(items, func(a, b int) bool { return items[a].i < items[b].i })
		out := make([]any, len(items))
		for i, it := range items {
			out[i] = it.v
		}
		return out, true
	case string:
		return nil, v == "" // "Dimensions=" is an empty list in awsQuery
	}
	return nil, false
}

func asNumber(src any) (float64, bool) {
	switch v := src.(type) {
	case float64:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// asTime accepts a time, epoch seconds (JSON), or an ISO 8601 string
// (awsQuery; the CLI sends "2026-03-01T10:00:00Z" or with fractions and
// offsets).
func asTime(src any) (time.Time, bool) {
	switch v := src.(type) {
	case time.Time:
		return v, true
	case float64, json.Number:
		f, _ := asNumber(v)
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UTC(), true
			}
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return asTime(f)
		}
	}
	return time.Time{}, false
}

// Output encoding. Fields are encoded by name; nil pointers and nil
// slices are left out, except slices tagged `cw:"always"` (lists AWS
// always returns, possibly empty).

func fieldOmitted(f reflect.StructField, v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Map:
		return v.IsNil()
	case reflect.Slice:
		return v.IsNil() && f.Tag.Get("cw") != "always"
	case reflect.String:
		return v.Len() == 0 && f.Tag.Get("cw") == "omitempty"
	}
	return false
}

// toCBOR encodes an output struct.
func toCBOR(v reflect.Value) cbor.Value {
	switch {
	case v.Kind() == reflect.Pointer:
		return toCBOR(v.Elem())
	case v.Type() == timeType:
		t := v.Interface().(time.Time)
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1000)}
	}
	switch v.Kind() {
	case reflect.Struct:
		m := cbor.Map{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if fieldOmitted(f, v.Field(i)) {
				continue
			}
			m[f.Name] = toCBOR(v.Field(i))
		}
		return m
	case reflect.Slice:
		l := make(cbor.List, v.Len())
		for i := range l {
			l[i] = toCBOR(v.Index(i))
		}
		return l
	case reflect.Map:
		m := cbor.Map{}
		for _, k := range v.MapKeys() {
			m[k.String()] = toCBOR(v.MapIndex(k))
		}
		return m
	case reflect.String:
		return cbor.String(v.String())
	case reflect.Float64:
		return cbor.Float64(v.Float())
	case reflect.Int, reflect.Int32, reflect.Int64:
		if n := v.Int(); n < 0 {
			return cbor.NegInt(uint64(-n))
		}
		return cbor.Uint(uint64(v.Int()))
	case reflect.Bool:
		return cbor.Bool(v.Bool())
	}
	return &cbor.Nil{}
}

// toJSON converts an output struct to what encoding/json writes for
// awsJson: timestamps as epoch seconds.
func toJSON(v reflect.Value) any {
	switch {
	case v.Kind() == reflect.Pointer:
		return toJSON(v.Elem())
	case v.Type() == timeType:
		return float64(v.Interface().(time.Time).UnixMilli()) / 1000
	}
	switch v.Kind() {
	case reflect.Struct:
		m := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !fieldOmitted(f, v.Field(i)) {
				m[f.Name] = toJSON(v.Field(i))
			}
		}
		return m
	case reflect.Slice:
		l := make([]any, v.Len())
		for i := range l {
			l[i] = toJSON(v.Index(i))
		}
		return l
	case reflect.Map:
		m := map[string]any{}
		for _, k := range v.MapKeys() {
			m[k.String()] = toJSON(v.MapIndex(k))
		}
		return m
	}
	return v.Interface()
}

// writeXML appends an output struct's members as awsQuery XML: lists as
// <member> elements, maps as <entry><key/><value/></entry>.
func writeXML(b *bytes.Buffer, v reflect.Value) {
	switch {
	case v.Kind() == reflect.Pointer:
		writeXML(b, v.Elem())
		return
	case v.Type() == timeType:
		b.WriteString(v.Interface().(time.Time).UTC().Format("2006-01-02T15:04:05.000Z"))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if fieldOmitted(f, v.Field(i)) {
				continue
			}
			b.WriteString("<" + f.Name + ">")
			writeXML(b, v.Field(i))
			b.WriteString("</" + f.Name + ">")
		}
	case reflect.Slice:
		for i := range v.Len() {
			b.WriteString("<member>")
			writeXML(b, v.Index(i))
			b.WriteString("</member>")
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			b.WriteString("<entry><key>")
			xml.EscapeText(b, []byte(k.String()))
			b.WriteString("</key><value>")
			writeXML(b, v.MapIndex(k))
			b.WriteString("</value></entry>")
		}
	case reflect.String:
		xml.EscapeText(b, []byte(v.String()))
	case reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'f', -1, 64))
	case reflect.Int, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	}
}
