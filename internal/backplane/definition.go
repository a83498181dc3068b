package backplane

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

// Helpers shared by the operations on the API definition objects (patch
// paths and validation errors):
// REST APIs, resources, methods, method responses, integrations and
// integration responses; UpdateDeployment and UpdateAccount use the patch
// ones too, so every Update* outside UpdateStage answers an unknown path or
// op with the same text. Their names start with "def" (definition) so they
// cannot clash with the stage patch helpers in the same package.

// defUnescape decodes one JSON-pointer segment the way API Gateway writes
// map keys in patch paths: "~1" is "/" and "~0" is "~".
func defUnescape(s string) string {
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
}

// defSplit splits a patch path "/requestTemplates/application~1json" into
// its field ("requestTemplates") and the unescaped key after it
// ("application/json"); key is empty when the path names the field itself.
func defSplit(path string) (field, key string) {
	p := strings.TrimPrefix(path, "/")
	field, rest, found := strings.Cut(p, "/")
	if !found {
		return field, ""
	}
	return field, defUnescape(rest)
}

// defInvalidPath is AWS's answer to a patch path an object does not have.
func defInvalidPath(path string) error {
	return apigw.BadRequest("Invalid patch path %s", path)
}

// defCheckOp refuses an operation the path does not support, naming the
// ones it does, as AWS does ("Must be one of: [replace]").
func defCheckOp(op apigw.PatchOperation, allowed ...string) error {
	if slices.Contains(allowed, op.Op) {
		return nil
	}
	return apigw.BadRequest("Invalid patch operation specified. Must be one of: [%s]", strings.Join(allowed, ", "))
}

// defBool converts a patch value to a boolean. Values travel as strings;
// AWS's text for a non-boolean is unverified, this one names the value.
func defBool(op apigw.PatchOperation) (bool, error) {
	b, err := strconv.ParseBool(op.Value)
	if err != nil {
		return false, apigw.BadRequest("Invalid patch value  '%s' specified for op '%s'. Must be a boolean", op.Value, op.Op)
	}
	return b, nil
}

// defMapPatch applies add/replace/remove of one key of a string map field
// (requestTemplates, responseTemplates, requestModels, ...). Removing a key
// that is not there changes nothing. It returns the possibly re-allocated
// map, nil when it became empty so that the field is omitted on the wire.
func defMapPatch(m map[string]string, op apigw.PatchOperation, key string) (map[string]string, error) {
	if err := defCheckOp(op, apigw.OpAdd, apigw.OpRemove, apigw.OpReplace); err != nil {
		return m, err
	}
	if op.Op == apigw.OpRemove {
		delete(m, key)
	} else {
		if m == nil {
			m = map[string]string{}
		}
		m[key] = op.Value
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// defEnumError is the out-of-model ValidationException AWS's request
// validation emits for a value outside an enum, e.g. PutIntegration's type
// (recorded text; field is "{operation}Input.{member}").
func defEnumError(value, field string, set ...string) error {
	return &apigw.Error{Kind: apigw.KindValidation, Message: fmt.Sprintf(
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
		value, field, strings.Join(set, ", "))}
}
