package plugin

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// schemaNode is one (sub)schema of iocage's plugin_manifest.json, in the
// part of JSON Schema draft-07 that file uses: type, required,
// properties, patternProperties and items (a single schema). The schema
// is iocage's data and stays as iocage ships it; a keyword outside that
// part makes the schema fail to load rather than be ignored, so that a
// newer schema cannot pass unchecked.
type schemaNode struct {
	typ        string
	required   []string
	properties map[string]*schemaNode
	patterns   []patternSchema
	items      *schemaNode
}

type patternSchema struct {
	re     *regexp.Regexp
	schema *schemaNode
}

// schemaKeywords are the keywords loadSchema understands; $schema and the
// annotations change nothing in validation.
var schemaKeywords = []string{"$schema", "title", "description", "type", "required", "properties", "patternProperties", "items"}

// loadSchema reads a schema document.
func loadSchema(b []byte) (*schemaNode, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	n := &schemaNode{}
	for k, v := range raw {
		var err error
		switch k {
		case "$schema", "title", "description":
		case "type":
			err = json.Unmarshal(v, &n.typ)
			if err == nil && !slices.Contains([]string{"object", "array", "string", "boolean", "integer", "number", "null"}, n.typ) {
				err = fmt.Errorf("unknown type %q", n.typ)
			}
		case "required":
			err = json.Unmarshal(v, &n.required)
		case "properties":
			n.properties, err = loadSchemas(v)
		case "patternProperties":
			var m map[string]*schemaNode
			if m, err = loadSchemas(v); err == nil {
				for _, p := range sortedKeys(m) {
					re, rerr := regexp.Compile(p)
					if rerr != nil {
						return nil, fmt.Errorf("patternProperties %q: %w", p, rerr)
					}
					n.patterns = append(n.patterns, patternSchema{re, m[p]})
				}
			}
		case "items":
			n.items, err = loadSchema(v)
		default:
			return nil, fmt.Errorf("keyword %q is not one of %s", k, strings.Join(schemaKeywords, ", "))
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	return n, nil
}

func loadSchemas(b []byte) (map[string]*schemaNode, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make(map[string]*schemaNode, len(raw))
	for k, v := range raw {
		n, err := loadSchema(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = n
	}
	return out, nil
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validate checks a document decoded with json.Decoder.UseNumber against
// n and returns every problem, each at the JSON pointer of the value it
// is about ("/" for the document). As draft-07 has it, every keyword
// applies on its own; all but type concern one kind of value only.
func (n *schemaNode) validate(v any, path string) []Problem {
	if n.typ != "" && !hasType(v, n.typ) {
		return []Problem{{pathOrRoot(path), fmt.Sprintf("Invalid type. Expected: %s, given: %s", n.typ, typeOf(v))}}
	}
	var out []Problem
	switch v := v.(type) {
	case map[string]any:
		for _, k := range n.required {
			if _, ok := v[k]; !ok {
				out = append(out, Problem{pathOrRoot(path), k + " is required"})
			}
		}
		for _, k := range sortedKeys(v) {
			sub := path + "/" + escapePointer(k)
			if s, ok := n.properties[k]; ok {
				out = append(out, s.validate(v[k], sub)...)
			}
			for _, p := range n.patterns {
				if p.re.MatchString(k) {
					out = append(out, p.schema.validate(v[k], sub)...)
				}
			}
		}
	case []any:
		if n.items != nil {
			for i, e := range v {
				out = append(out, n.items.validate(e, path+"/"+strconv.Itoa(i))...)
			}
		}
	}
	return out
}

// hasType is draft-07's type check; an integer is any number without a
// fractional part, 1.0 included.
func hasType(v any, typ string) bool {
	switch typ {
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		f, err := n.Float64()
		return err == nil && f == math.Trunc(f)
	case "number":
		_, ok := v.(json.Number)
		return ok
	}
	return typeOf(v) == typ
}

// typeOf names a value's JSON type, a whole number as "integer".
func typeOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if hasType(v, "integer") {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func escapePointer(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}

func pathOrRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}
