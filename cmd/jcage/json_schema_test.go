package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/render"
	"github.com/jcage/jcage/internal/zfs"
)

// jsonSchema is one ```schema block of docs/json.md.
type jsonSchema struct {
	invoke []string            // command lines it covers
	paths  map[string][]string // key path -> JSON types
	order  []string
}

func readJSONSchemas(t *testing.T) []jsonSchema {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatalf("the JSON schema is documented in docs/json.md: %v", err)
	}
	defer f.Close()
	var out []jsonSchema
	var cur *jsonSchema
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "```schema":
			out = append(out, jsonSchema{paths: map[string][]string{}})
			cur = &out[len(out)-1]
		case line == "```":
			cur = nil
		case cur != nil:
			k, v, ok := strings.Cut(line, ": ")
			if !ok {
				t.Fatalf("docs/json.md: bad schema line %q", line)
			}
			if k == "invoke" {
				cur.invoke = append(cur.invoke, v)
				continue
			}
			cur.paths[k] = strings.Fields(v)
			cur.order = append(cur.order, k)
		}
	}
	if len(out) == 0 {
		t.Fatal("docs/json.md holds no schema blocks")
	}
	return out
}

// jsonTypes walks a decoded document and records each key path's JSON
// types; an object whose schema says "PATH.*" has its keys folded.
func jsonTypes(s jsonSchema, path string, v any, got map[string][]string) {
	typ := "string"
	switch v := v.(type) {
	case nil:
		typ = "null"
	case bool:
		typ = "boolean"
	case float64:
		typ = "number"
	case []any:
		typ = "array"
		for _, el := range v {
			jsonTypes(s, path+"[]", el, got)
		}
	case map[string]any:
		typ = "object"
		for k, el := range v {
			child := k
			if path != "" {
				child = path + "." + k
				if _, wild := s.paths[path+".*"]; wild {
					child = path + ".*"
				}
			}
			jsonTypes(s, child, el, got)
		}
	}
	if path != "" && !(typ == "object" && strings.HasSuffix(path, "[]")) && !slices.Contains(got[path], typ) {
		got[path] = append(got[path], typ)
	}
}

// jsonFixture is a tree with a running jail that has every kind of value
// (web), a stopped one (db), a template, snapshots and an fstab entry.
func jsonFixture(t *testing.T) *harness {
	h := newTreeHarness(t)
	_, _ = fstabJail(h, "web", "mnt")
	h.addJail("db", map[string]any{"boot": 0, "priority": "20"})
	h.addJail("tmpl", nil)
	h.addJail("base", map[string]any{"basejail": 1})
	if err := h.zfs.Create(t.Context(), layout.Layout{Pool: "tank"}.ReleaseRoot("13.2-RELEASE"), zfs.CreateOptions{Parents: true}); err != nil {
		t.Fatal(err)
	}
	must(h, runSet, setOptions{args: []string{"template=yes", "tmpl"}})
	h.running(map[string]int{"web": 3})
	must(h, runSet, setOptions{args: []string{"boot=on", "priority=10", "ip4_addr=em0|10.0.0.5/24", "notes=none", "quota=10G", "web"}})
	must(h, runSnapshot, snapshotOptions{jail: "web", name: "s1"})
	fstabRun(h, fstabOptions{action: "add", jail: "web", rest: []string{t.TempDir(), "/mnt"}})
	return h
}

// Every command's --json output matches docs/json.md, and every command
// with --json is covered there.
func TestJSONSchema(t *testing.T) {
	schemas := readJSONSchemas(t)
	h := jsonFixture(t)
	covered := map[string]bool{}
	for _, s := range schemas {
		for _, line := range s.invoke {
			args := strings.Fields(line)
			covered[args[0]] = true
			if code := h.jcage(args...); code != 0 {
				t.Errorf("%s: exit %d: %s", line, code, h.stderr.String())
				continue
			}
			var doc any
			if err := json.Unmarshal(h.stdout.Bytes(), &doc); err != nil {
				t.Errorf("%s: not JSON: %v\n%s", line, err, h.stdout.String())
				continue
			}
			if m, ok := doc.(map[string]any); !ok || m["schema_version"] != float64(render.SchemaVersion) {
				t.Errorf("%s: no schema_version %d:\n%s", line, render.SchemaVersion, h.stdout.String())
			}
			if strings.Index(h.stdout.String(), `"schema_version"`) != 4 {
				t.Errorf("%s: schema_version is not the first key:\n%s", line, h.stdout.String())
			}
			got := map[string][]string{}
			jsonTypes(s, "", doc, got)
			for path, types := range got {
				want, ok := s.paths[path]
				if !ok {
					t.Errorf("%s: key %s is not in docs/json.md", line, path)
					continue
				}
				for _, typ := range types {
					if !slices.Contains(want, typ) {
						t.Errorf("%s: %s is %s, docs/json.md says %v", line, path, typ, want)
					}
				}
			}
			for _, path := range s.order {
				if _, ok := got[path]; !ok {
					t.Errorf("%s: documented key %s is missing (or its array empty in the fixture)", line, path)
				}
			}
			// Keys come in the documented order.
			if !keysInOrder(h.stdout.String(), s.order) {
				t.Errorf("%s: keys not in the documented order:\n%s", line, h.stdout.String())
			}
		}
	}
	for _, c := range newApp(&env{}).Commands {
		if hasFlag(c, "json") && !covered[c.Name] {
			t.Errorf("%s has --json but docs/json.md has no schema for it", c.Name)
		}
	}
}

// keysInOrder checks that each object's documented keys appear in the
// text in the documented order (first occurrence of each).
func keysInOrder(text string, order []string) bool {
	last := -1
	prefix := ""
	for _, path := range order {
		if strings.HasSuffix(path, "*") {
			continue
		}
		p := strings.LastIndexAny(path, ".]")
		parent, key := "", path
		if p >= 0 {
			parent, key = path[:p], strings.TrimPrefix(path[p+1:], ".")
		}
		if parent != prefix {
			prefix, last = parent, -1
		}
		i := strings.Index(text, fmt.Sprintf("%q:", key))
		if i < 0 || i < last {
			return false
		}
		last = i
	}
	return true
}

// A property has one JSON value in every command.
func TestJSONSameValueEverywhere(t *testing.T) {
	h := jsonFixture(t)
	// doc reads the JSON document a verb wrote.
	doc := func(code int) map[string]any {
		t.Helper()
		if code != 0 {
			t.Fatalf("exit %d: %s", code, h.stderr.String())
		}
		var m map[string]any
		if err := json.Unmarshal(h.stdout.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	get := func(opts getOptions) map[string]any {
		t.Helper()
		opts.format = render.FormatJSON
		return doc(do(h, runGet, opts))
	}
	rowOf := func(m map[string]any, key, name string) map[string]any {
		for _, r := range m[key].([]any) {
			if r := r.(map[string]any); r["name"] == name {
				return r
			}
		}
		t.Fatalf("no %s in %v", name, m)
		return nil
	}
	all := get(getOptions{args: []string{"web"}, all: true})["properties"].(map[string]any)
	long := rowOf(doc(do(h, runList, listOptions{view: inventory.ListView{Long: true}, format: render.FormatJSON})), "jails", "web")
	for prop, want := range map[string]any{"boot": true, "priority": 10.0, "ip4_addr": "em0|10.0.0.5/24", "quota": "10G", "notes": "none", "vnet": false, "jid": 3.0, "release": "13.2-RELEASE", "template": false, "basejail": false} {
		views := map[string]any{
			"get PROP":    get(getOptions{args: []string{prop, "web"}})["value"],
			"get -a":      all[prop],
			"get -r PROP": rowOf(get(getOptions{args: []string{prop}, recursive: true}), "jails", "web")["value"],
		}
		for _, v := range get(getOptions{args: []string{"all"}, recursive: true})["values"].([]any) {
			if v := v.(map[string]any); v["name"] == "web" && v["property"] == prop {
				views["get -r all"] = v["value"]
			}
		}
		if prop == "jid" {
			delete(views, "get -a")
			delete(views, "get -r all")
		}
		if lv, ok := long[prop]; ok && prop != "template" {
			views["list -l"] = lv
		}
		for view, got := range views {
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s = %#v, want %#v", view, prop, got, want)
			}
		}
	}
	if v := get(getOptions{args: []string{"jid", "db"}})["value"]; v != nil {
		t.Errorf("a stopped jail's jid is %#v, want null", v)
	}
}
