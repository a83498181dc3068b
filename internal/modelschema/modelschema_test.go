package modelschema

import (
	"strings"
	"testing"

	"github.com/stagecoach/stagecoach/internal/apigw"
)

const api = "abc123"

var petSchema = `{"$schema":"http://json-schema.org/draft-04/schema#","title":"Pet","type":"object",
 "properties":{"id":{"type":"integer"},"type":{"type":"string","enum":["dog","cat"]},"price":{"type":"number","minimum":0}},
 "required":["type","id"]}`

func models() map[string]*apigw.Model {
	ms := apigw.DefaultModels()
	ms["Pet"] = &apigw.Model{Name: "Pet", Schema: petSchema}
	ms["Pets"] = &apigw.Model{Name: "Pets", Schema: `{"type":"array","items":{"$ref":"` + apigw.ModelURL(api, "Pet") + `"}}`}
	return ms
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name, schema, want string
	}{
		{"valid", petSchema, ""},
		{"reference", `{"type":"object","properties":{"pet":{"$ref":"` + apigw.ModelURL(api, "Pet") + `"}}}`, ""},
		{"local reference", `{"definitions":{"a":{"type":"string"}},"type":"object","properties":{"x":{"$ref":"#/definitions/a"}}}`, ""},
		{"self reference", `{"type":"object","properties":{"child":{"$ref":"` + apigw.ModelURL(api, "Tree") + `"}}}`, ""},
		{"empty", ``, "Model schema must have at least 1 property or array items defined"},
		{"not JSON", `{"type":`, msgPrefix + "Invalid model schema specified]"},
		{"not an object", `[1]`, msgPrefix + "Invalid model schema specified]"},
		{"bad type", `{"type":"text"}`, msgPrefix + "Invalid model schema specified]"},
		{"empty required (draft 4)", `{"type":"object","required":[]}`, msgPrefix + "Invalid model schema specified]"},
		{"non-canonical reference", `{"$ref":"Pet"}`, msgPrefix + "Model reference must be in canonical form]"},
		{"other API's model", `{"$ref":"` + apigw.ModelURL("other1", "Pet") + `"}`, msgPrefix + "Model reference must be in canonical form]"},
		{"missing model", `{"$ref":"` + apigw.ModelURL(api, "Nope") + `"}`, msgPrefix + "Invalid model name specified: Nope]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(api, models(), "Tree", tc.schema)
			got := ""
			if err != nil {
				got = err.(*apigw.Error).Message
			}
			if got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	set, errs := Compile(api, models())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	cases := []struct {
		model, body string
		want        []string
	}{
		{"Pet", `{"id":1,"type":"dog","price":2.5}`, nil},
		{"Pet", `{"price":2.5}`, []string{`object has missing required properties (["id","type"])`}},
		{"Pet", `{"id":"1","type":"dog"}`, []string{`instance type (string) does not match any allowed primitive type (allowed: ["integer"])`}},
		{"Pet", `{"id":1,"type":"fish"}`, []string{`instance value ("fish") not found in enum (possible values: ["dog","cat"])`}},
		{"Pet", `{"id":1,"type":"dog","price":-1}`, []string{`numeric instance is lower than the required minimum (minimum: 0, found: -1)`}},
		{"Pet", ``, []string{"Unknown error parsing request body"}},
		{"Pet", `{"id":`, []string{"Unknown error parsing request body"}},
		{"Pets", `[{"id":1,"type":"cat"}]`, nil},
		{"Pets", `[{"id":1}]`, []string{`object has missing required properties (["type"])`}},
		{"Empty", `{"anything":[1,2]}`, nil},
		{"Empty", `"text"`, []string{`instance type (string) does not match any allowed primitive type (allowed: ["object"])`}},
	}
	for _, tc := range cases {
		got := set.Validate(tc.model, []byte(tc.body))
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Validate(%s, %s) = %q, want %q", tc.model, tc.body, got, tc.want)
		}
	}
}

func TestTemplate(t *testing.T) {
	ms := models()
	ms["Album"] = &apigw.Model{Name: "Album", Schema: `{"type":"object","properties":{
		"title":{"type":"string"},"photos":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"},"size":{"type":"integer"}}}},
		"owner":{"type":"object","properties":{"name":{"type":"string"},"verified":{"type":"boolean"}}},
		"best-pet":{"$ref":"` + apigw.ModelURL(api, "Pet") + `"}}}`}
	cases := []struct{ model, want string }{
		{"Pet", `#set($inputRoot = $input.path('$'))
{
  "id" : $inputRoot.id,
  "type" : "$inputRoot.type",
  "price" : $inputRoot.price
}
`},
		{"Pets", `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "id" : $elem.id,
    "type" : "$elem.type",
    "price" : $elem.price
  }#if($foreach.hasNext),#end
#end
]
`},
		{"Album", `#set($inputRoot = $input.path('$'))
{
  "title" : "$inputRoot.title",
  "photos" : [
#foreach($elem1 in $inputRoot.photos)
    {
      "id" : "$elem1.id",
      "size" : $elem1.size
    }#if($foreach.hasNext),#end
#end
  ],
  "owner" : {
    "name" : "$inputRoot.owner.name",
    "verified" : $inputRoot.owner.verified
  },
  "best-pet" : {
    "id" : $inputRoot.get('best-pet').id,
    "type" : "$inputRoot.get('best-pet').type",
    "price" : $inputRoot.get('best-pet').price
  }
}
`},
		{"Empty", "#set($inputRoot = $input.path('$'))\n{}\n"},
	}
	for _, tc := range cases {
		got, err := Template(api, ms, tc.model)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("Template(%s) =\n%s\nwant\n%s", tc.model, got, tc.want)
		}
	}
	if _, err := Template(api, ms, "Nope"); apigw.KindOf(err) != apigw.KindNotFound {
		t.Errorf("unknown model: %v", err)
	}
}
