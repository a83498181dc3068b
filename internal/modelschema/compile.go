package modelschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// The control plane's answers to a schema AWS refuses (recorded AWS texts:
// CloudFormation and CLI error reports).
const (
	msgPrefix       = "Invalid model specified: Validation Result: warnings : [], errors : ["
	msgInvalid      = "Invalid model schema specified"
	msgNotCanonical = "Model reference must be in canonical form"
	// msgSchemaEmpty is LocalStack's recorded text for a model without a
	// schema.
	msgSchemaEmpty = "Model schema must have at least 1 property or array items defined"
)

func invalidModel(detail string) error {
	return apigw.BadRequest("%s%s]", msgPrefix, detail)
}

// Set is an API's models compiled together; safe for concurrent use.
type Set struct {
	schemas map[string]*jsonschema.Schema // by model name
}

// Check reports, as AWS's BadRequestException, why the model name of the
// API cannot be stored with schema (models holds the API's other models,
// which $ref may name). It is what CreateModel and UpdateModel run.
func Check(apiID string, models map[string]*apigw.Model, name, schema string) error {
	if strings.TrimSpace(schema) == "" {
		return apigw.BadRequest(msgSchemaEmpty)
	}
	doc, err := parse(schema)
	if err != nil {
		return invalidModel(msgInvalid)
	}
	var refErr error
	walkRefs(doc, func(ref string) {
		if refErr != nil || strings.HasPrefix(ref, "#") {
			return
		}
		id, target, _, ok := apigw.ParseModelURL(ref)
		if !ok || id != apiID {
			refErr = invalidModel(msgNotCanonical)
			return
		}
		if _, exists := models[target]; !exists && target != name {
			refErr = invalidModel("Invalid model name specified: " + target)
		}
	})
	if refErr != nil {
		return refErr
	}
	all := maps.Clone(models)
	if all == nil {
		all = map[string]*apigw.Model{}
	}
	all[name] = &apigw.Model{Name: name, Schema: schema}
	if _, err := compileOne(apiID, all, name); err != nil {
		return invalidModel(msgInvalid)
	}
	return nil
}

// Compile compiles every model of an API. A model that does not compile
// (stored before a rule existed, or whose referenced model was changed)
// is left out and reported; validating against it then fails closed.
func Compile(apiID string, models map[string]*apigw.Model) (*Set, []error) {
	s := &Set{schemas: make(map[string]*jsonschema.Schema, len(models))}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(models)) {
		sch, err := compileOne(apiID, models, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("model %s: %w", name, err))
			continue
		}
		s.schemas[name] = sch
	}
	return s, errs
}

// Has reports whether the model compiled.
func (s *Set) Has(name string) bool {
	_, ok := s.schemas[name]
	return ok
}

func compileOne(apiID string, models map[string]*apigw.Model, name string) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	for n, m := range models {
		doc, err := parse(m.Schema)
		if err != nil {
			if n == name {
				return nil, err
			}
			continue // a broken other model matters only if referenced
		}
		if err := c.AddResource(apigw.ModelURL(apiID, n), doc); err != nil {
			return nil, err
		}
	}
	return c.Compile(apigw.ModelURL(apiID, name))
}

func parse(schema string) (any, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		return nil, err
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, errors.New("schema is not a JSON object")
	}
	return doc, nil
}

// walkRefs calls fn with every "$ref" string in a schema document.
func walkRefs(v any, fn func(string)) {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			if s, ok := c.(string); ok && k == "$ref" {
				fn(s)
				continue
			}
			walkRefs(c, fn)
		}
	case []any:
		for _, c := range t {
			walkRefs(c, fn)
		}
	}
}

// References reports whether the schema of m names the model target.
func References(apiID string, m *apigw.Model, target string) bool {
	doc, err := parse(m.Schema)
	if err != nil {
		return false
	}
	found := false
	walkRefs(doc, func(ref string) {
		if id, name, _, ok := apigw.ParseModelURL(ref); ok && id == apiID && name == target {
			found = true
		}
	})
	return found
}

// Validate checks a request body against the model name. It returns nil
// when the body is valid, else the errors as AWS's execution log lists
// them ("object has missing required properties ([\"name\"])"). A body
// that is not JSON — an empty one included — is AWS's "Unknown error
// parsing request body".
func (s *Set) Validate(name string, body []byte) []string {
	sch, ok := s.schemas[name]
	if !ok {
		return []string{"Invalid model schema specified"}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []string{"Unknown error parsing request body"}
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{err.Error()}
	}
	return describe(ve)
}

// marshal renders v as compact JSON for messages.
func marshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
