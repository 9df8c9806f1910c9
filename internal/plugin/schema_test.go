package plugin

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func decodeDoc(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// The draft-07 keywords iocage's schema uses, each as the standard has it.
func TestSchemaKeywords(t *testing.T) {
	sch, err := loadSchema([]byte(`{
		"$schema": "http://json-schema.org/draft-07/schema#",
		"type": "object",
		"required": ["a", "b"],
		"properties": {
			"a": {"type": "integer"},
			"n": {"type": "number"},
			"l": {"type": "array", "items": {"type": "string"}},
			"o": {"type": "object", "required": ["x"]}
		},
		"patternProperties": {"^p": {"type": "boolean"}, ".*": {"type": ["string"]}}
	}`))
	if err == nil {
		t.Fatal("a type list was accepted: it is not in the part of draft-07 loaded")
	}
	sch, err = loadSchema([]byte(`{
		"type": "object",
		"required": ["a", "b"],
		"properties": {
			"a": {"type": "integer"},
			"n": {"type": "number"},
			"l": {"type": "array", "items": {"type": "string"}},
			"o": {"type": "object", "required": ["x"]},
			"a/b~c": {"type": "null"}
		},
		"patternProperties": {"^p": {"type": "boolean"}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ doc, want string }{
		{`{"a": 1, "b": 0}`, ""},
		{`{"a": 1.0, "b": 0, "n": 2.5, "pq": true, "l": []}`, ""},
		{`{"b": 0}`, "/: a is required"},
		{`[]`, "/: Invalid type. Expected: object, given: array"},
		{`{"a": 1.5, "b": 0}`, "/a: Invalid type. Expected: integer, given: number"},
		{`{"a": "1", "b": 0, "n": true}`, "/a: Invalid type. Expected: integer, given: string; /n: Invalid type. Expected: number, given: boolean"},
		{`{"a": 1, "b": 0, "l": ["x", 2, null]}`, "/l/1: Invalid type. Expected: string, given: integer; /l/2: Invalid type. Expected: string, given: null"},
		{`{"a": 1, "b": 0, "o": {}, "p1": "no"}`, "/o: x is required; /p1: Invalid type. Expected: boolean, given: string"},
		{`{"a": 1, "b": 0, "a/b~c": {}}`, "/a~1b~0c: Invalid type. Expected: null, given: object"},
	} {
		var got []string
		for _, p := range sch.validate(decodeDoc(t, c.doc), "") {
			got = append(got, p.Path+": "+p.Message)
		}
		if strings.Join(got, "; ") != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.doc, strings.Join(got, "; "), c.want)
		}
	}
}

// A keyword the loader does not know fails the schema instead of being
// skipped: a newer iocage schema must not pass unchecked.
func TestSchemaRefusesUnknownKeywords(t *testing.T) {
	for _, s := range []string{
		`{"type": "string", "minLength": 1}`,
		`{"properties": {"a": {"enum": [1]}}}`,
		`{"items": [{"type": "string"}]}`,
		`{"type": "text"}`,
	} {
		if _, err := loadSchema([]byte(s)); err == nil {
			t.Errorf("%s loaded", s)
		}
	}
	if _, err := compiledSchema(); err != nil {
		t.Fatalf("iocage's schema: %v", err)
	}
}

// A document with anything after it is not JSON, as json.Unmarshal has
// it.
func TestParseManifestTrailingData(t *testing.T) {
	for _, tail := range []string{"}", " x", "{}"} {
		if _, err := ParseManifest(append([]byte(goodManifest), tail...)); !errors.Is(err, ErrInvalidJSON) {
			t.Errorf("%q after the manifest: %v", tail, err)
		}
	}
	if _, err := ParseManifest(bytes.TrimSpace([]byte(goodManifest + "\n\n"))); err != nil {
		t.Fatal(err)
	}
}
