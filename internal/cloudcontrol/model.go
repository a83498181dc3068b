package cloudcontrol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
)

// typeMeta is the part of a CloudFormation resource provider schema Cloud
// Control itself enforces. Property names are top-level names; nested
// properties are checked by decoding into the type's model struct.
type typeMeta struct {
	TypeName string
	// Primary lists the primaryIdentifier properties in schema order; the
	// Identifier is their values joined with "|".
	Primary    []string
	Required   []string
	CreateOnly []string
	ReadOnly   []string
	WriteOnly  []string
	// ListRequires names the ResourceModel properties the list handler
	// needs (e.g. RestApiId); NoList means the type has no list handler.
	ListRequires []string
	NoList       bool
}

// listed is one resource found by a list handler.
type listed struct {
	IDs   []string
	Model any
}

// resourceType is one AWS::ApiGateway::* type: its schema and handlers.
// Models are pointers to the type's property struct, decoded and checked
// against the schema by decodeModel before a handler sees them.
type resourceType interface {
	meta() *typeMeta
	// newModel returns a pointer to an empty property struct.
	newModel() any
	// identifierOf returns the identifier values of a desired model when
	// they are known before creation (nil otherwise).
	identifierOf(model any) []string
	// create makes the resource and returns its identifier values; when
	// creation fails after the identifier is known it returns both.
	create(ctx context.Context, model any) ([]string, error)
	read(ctx context.Context, ids []string) (any, error)
	update(ctx context.Context, ids []string, prev, next any) error
	delete(ctx context.Context, ids []string) error
	// list returns the resources; model is the ResourceModel filter.
	list(ctx context.Context, model map[string]any) ([]listed, error)
}

// parseIdentifier splits an Identifier into its primary-identifier values.
func parseIdentifier(m *typeMeta, identifier string) ([]string, error) {
	parts := strings.Split(identifier, "|")
	if len(parts) != len(m.Primary) || slices.Contains(parts, "") {
		return nil, errInvalidRequest("Invalid identifier '%s' for resource type %s: expected %s",
			identifier, m.TypeName, strings.Join(m.Primary, "|"))
	}
	return parts, nil
}

func joinIdentifier(ids []string) string { return strings.Join(ids, "|") }

// parseDocument decodes a DesiredState / ResourceModel string into a JSON
// object.
func parseDocument(member, doc string) (map[string]any, error) {
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(doc))
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, errModel("#: %s is not a JSON object", member)
	}
	if d.More() {
		return nil, errModel("#: %s is not a single JSON object", member)
	}
	return m, nil
}

// checkDocument enforces the schema on a property document: required
// properties, no readOnly ones when the caller set them (create), then the
// shape of every property by decoding into the model struct with unknown
// members refused. Messages follow CloudFormation's schema validator.
func checkDocument(t resourceType, doc map[string]any, rejectReadOnly bool) (any, error) {
	m := t.meta()
	if rejectReadOnly {
		for _, p := range m.ReadOnly {
			if _, ok := doc[p]; ok {
				// readOnly properties are not part of the input schema.
				return nil, errModel("#: extraneous key [%s] is not permitted", p)
			}
		}
	}
	for _, p := range m.Required {
		if v, ok := doc[p]; !ok || v == nil {
			return nil, errModel("#: required key [%s] not found", p)
		}
	}
	b, _ := json.Marshal(doc)
	model := t.newModel()
	if err := decodeModel(b, model); err != nil {
		return nil, err
	}
	if v, ok := t.(schemaChecker); ok {
		if err := v.checkSchema(model); err != nil {
			return nil, err
		}
	}
	return model, nil
}

// schemaChecker is implemented by types whose schema has constraints a
// typed decode does not check (lengths, "object|string" unions).
type schemaChecker interface {
	checkSchema(model any) error
}

func decodeModel(b []byte, model any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	err := d.Decode(model)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return errModel("#/%s: expected type: %s, found: %s", strings.ReplaceAll(te.Field, ".", "/"), schemaType(te.Type), foundType(te.Value))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errModel("#: extraneous key [%s] is not permitted", strings.Trim(name, `"`))
	}
	return errModel("#: %v", err)
}

// schemaType names a Go type the way the schema validator names JSON types.
func schemaType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "Boolean"
	case reflect.String:
		return "String"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "Integer"
	case reflect.Float32, reflect.Float64:
		return "Number"
	case reflect.Slice:
		return "JSONArray"
	}
	return "JSONObject"
}

func foundType(v string) string {
	switch {
	case v == "string":
		return "String"
	case v == "bool":
		return "Boolean"
	case v == "array":
		return "JSONArray"
	case v == "object":
		return "JSONObject"
	case strings.HasPrefix(v, "number"):
		return "BigDecimal"
	}
	return v
}

// toDocument converts a model struct into a generic JSON object.
func toDocument(model any) map[string]any {
	b, _ := json.Marshal(model)
	var m map[string]any
	json.Unmarshal(b, &m)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// propertiesJSON renders a model as the Properties / ResourceModel string.
func propertiesJSON(model any) string {
	b, _ := json.Marshal(model)
	return string(b)
}

// changedProperties lists the top-level properties in names whose value
// differs between two documents, as schema pointers.
func changedProperties(names []string, before, after map[string]any) []string {
	var out []string
	for _, p := range names {
		if !jsonEqual(before[p], after[p]) {
			out = append(out, "/properties/"+p)
		}
	}
	return out
}

func ptrTo[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	if p == nil {
		var z T
		return z
	}
	return *p
}

// tagsModel is the CloudFormation tag list.
type tagModel struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func tagsToMap(tags []tagModel) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func tagsFromMap(m map[string]string) []tagModel {
	if len(m) == 0 {
		return nil
	}
	out := make([]tagModel, 0, len(m))
	for k, v := range m {
		out = append(out, tagModel{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b tagModel) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// checkTags enforces the schema's Key length (1–128) and Value length
// (0–256): these are schema constraints Cloud Control checks before any
// handler runs.
func checkTags(tags []tagModel) error {
	for i, t := range tags {
		if n := len([]rune(t.Key)); n < 1 || n > 128 {
			return errModel("#/Tags/%d/Key: expected minLength: 1, maxLength: 128, actual: %d", i, n)
		}
		if n := len([]rune(t.Value)); n > 256 {
			return errModel("#/Tags/%d/Value: expected maxLength: 256, actual: %d", i, n)
		}
	}
	return nil
}
