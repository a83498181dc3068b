package modelschema

import (
	"math/big"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// describe lists a validation failure's leaf errors in the wording of the
// validator AWS runs (java-json-tools' json-schema-validator, as AWS's
// execution and test-invoke logs show it: "object has missing required
// properties ([\"email\"])"). Kinds without a known AWS wording use the
// library's message.
func describe(ve *jsonschema.ValidationError) []string {
	var out []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, message1(e.ErrorKind))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

var printer = message.NewPrinter(language.English)

func message1(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Required:
		missing := slices.Clone(k.Missing)
		slices.Sort(missing)
		return "object has missing required properties (" + marshal(missing) + ")"
	case *kind.Type:
		return "instance type (" + k.Got + ") does not match any allowed primitive type (allowed: " + marshal(k.Want) + ")"
	case *kind.Enum:
		return "instance value (" + marshal(k.Got) + ") not found in enum (possible values: " + marshal(k.Want) + ")"
	case *kind.Minimum:
		return "numeric instance is lower than the required minimum (minimum: " + num(k.Want) + ", found: " + num(k.Got) + ")"
	case *kind.Maximum:
		return "numeric instance is greater than the required maximum (maximum: " + num(k.Want) + ", found: " + num(k.Got) + ")"
	case *kind.MinLength:
		return "string is too short (length: " + itoa(k.Got) + ", required minimum: " + itoa(k.Want) + ")"
	case *kind.MaxLength:
		return "string is too long (length: " + itoa(k.Got) + ", maximum allowed: " + itoa(k.Want) + ")"
	case *kind.Pattern:
		return "ECMA 262 regex " + marshal(k.Want) + " does not match input string " + marshal(k.Got)
	case *kind.AdditionalProperties:
		props := slices.Clone(k.Properties)
		slices.Sort(props)
		return "object instance has properties which are not allowed by the schema: " + marshal(props)
	case *kind.MinItems:
		return "array is too short: must have at least " + itoa(k.Want) + " elements but instance has " + itoa(k.Got) + " elements"
	case *kind.MaxItems:
		return "array is too long: must have at most " + itoa(k.Want) + " elements but instance has " + itoa(k.Got) + " elements"
	}
	return k.LocalizedString(printer)
}

func num(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return marshal(f)
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }
