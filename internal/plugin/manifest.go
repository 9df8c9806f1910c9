package plugin

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// manifestSchema is iocage's plugin_manifest.json (JSON Schema draft-07),
// the shape iocage_lib/ioc_common.py:validate_plugin_manifest checks every
// manifest against before a fetch.
//
//go:embed plugin_manifest.json
var manifestSchema []byte

// compiledSchema loads iocage's schema on first use: nothing is built
// before a command needs it.
var compiledSchema = sync.OnceValues(func() (*schemaNode, error) { return loadSchema(manifestSchema) })

// Fingerprint is one trusted key of a package repository.
type Fingerprint struct {
	Function    string `json:"function"`
	Fingerprint string `json:"fingerprint"`
}

// Repo is one package repository of a manifest, in document order.
type Repo struct {
	Name         string
	Fingerprints []Fingerprint
}

// Prop is one manifest property, in document order, with its value as
// iocage writes it on a create command line.
type Prop struct{ Key, Value string }

// DevfsRuleset is the manifest's devfs_ruleset: device paths to unhide
// (a nil mode means plain unhide) and rulesets to include.
type DevfsRuleset struct {
	Paths    []DevfsPath
	Includes []string
}

// DevfsPath is one device path rule; Mode is "" for unhide.
type DevfsPath struct{ Path, Mode string }

// Manifest is a plugin manifest (the JSON a plugin index keeps per
// plugin, and the copy kept as IOCROOT/jails/NAME/<plugin>.json).
type Manifest struct {
	Name        string
	Release     string
	Pkgs        []string
	Packagesite string
	Repos       []Repo
	Artifact    string
	Official    bool
	Revision    string
	Properties  []Prop
	Devfs       *DevfsRuleset
	Kmods       []string
	rawDocument []byte
}

// ManifestError is a manifest iocage's schema refuses; each problem names
// its JSON path ("/fingerprints/repo/0/function").
type ManifestError struct {
	Problems []Problem
}

// Problem is one schema violation.
type Problem struct {
	Path    string // JSON pointer into the manifest; "" is the document itself
	Message string
}

func (e *ManifestError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		path := p.Path
		if path == "" {
			path = "/"
		}
		parts[i] = path + ": " + p.Message
	}
	return "The following errors were encountered with plugin manifest: " + strings.Join(parts, "; ")
}

// ErrInvalidJSON is a manifest that is not JSON at all.
var ErrInvalidJSON = errors.New("Invalid JSON file supplied, please supply a correctly formatted JSON file.")

// ParseManifest decodes and validates a manifest against iocage's schema.
// kmods is read though the schema does not name it, as iocage reads it.
func ParseManifest(b []byte) (*Manifest, error) {
	var inst any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&inst); err != nil {
		return nil, ErrInvalidJSON
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, ErrInvalidJSON // something after the document
	}
	sch, err := compiledSchema()
	if err != nil {
		return nil, fmt.Errorf("plugin manifest schema: %w", err)
	}
	if problems := sch.validate(inst, ""); len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Path < problems[j].Path })
		return nil, &ManifestError{Problems: problems}
	}
	var m struct {
		Name         string                   `json:"name"`
		Release      string                   `json:"release"`
		Pkgs         []string                 `json:"pkgs"`
		Packagesite  string                   `json:"packagesite"`
		Fingerprints map[string][]Fingerprint `json:"fingerprints"`
		Artifact     string                   `json:"artifact"`
		Official     bool                     `json:"official"`
		Revision     string                   `json:"revision"`
		Properties   json.RawMessage          `json:"properties"`
		Devfs        *struct {
			Paths    json.RawMessage `json:"paths"`
			Includes []string        `json:"includes"`
		} `json:"devfs_ruleset"`
		Kmods json.RawMessage `json:"kmods"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, ErrInvalidJSON
	}
	out := &Manifest{Name: m.Name, Release: m.Release, Pkgs: m.Pkgs, Packagesite: m.Packagesite,
		Artifact: m.Artifact, Official: m.Official, Revision: m.Revision, rawDocument: b}
	var fp struct {
		Fingerprints json.RawMessage `json:"fingerprints"`
	}
	_ = json.Unmarshal(b, &fp)
	for _, k := range objectKeys(fp.Fingerprints) {
		out.Repos = append(out.Repos, Repo{Name: k, Fingerprints: m.Fingerprints[k]})
	}
	if len(m.Properties) > 0 {
		var props map[string]any
		d := json.NewDecoder(bytes.NewReader(m.Properties))
		d.UseNumber()
		if err := d.Decode(&props); err != nil {
			return nil, &ManifestError{Problems: []Problem{{"/properties", "must be an object"}}}
		}
		for _, k := range objectKeys(m.Properties) {
			out.Properties = append(out.Properties, Prop{k, PropValue(props[k])})
		}
	}
	if m.Devfs != nil {
		var paths map[string]any
		_ = json.Unmarshal(m.Devfs.Paths, &paths)
		d := &DevfsRuleset{Includes: m.Devfs.Includes}
		for _, k := range objectKeys(m.Devfs.Paths) {
			mode := ""
			if v := paths[k]; v != nil {
				mode = fmt.Sprint(v)
			}
			d.Paths = append(d.Paths, DevfsPath{k, mode})
		}
		out.Devfs = d
	}
	if len(m.Kmods) > 0 {
		// iocage iterates kmods (conf.get("kmods", {})): a list of names,
		// or the keys of an object.
		var list []string
		if err := json.Unmarshal(m.Kmods, &list); err != nil {
			list = objectKeys(m.Kmods)
			if list == nil {
				return nil, &ManifestError{Problems: []Problem{{"/kmods", "must be a list of kernel module names"}}}
			}
		}
		out.Kmods = list
	}
	return out, nil
}

// objectKeys returns the keys of a JSON object in document order (nil
// when raw is not an object). iocage iterates manifests as Python dicts,
// which keep that order.
func objectKeys(raw json.RawMessage) []string {
	d := json.NewDecoder(bytes.NewReader(raw))
	tok, err := d.Token()
	if err != nil || tok != json.Delim('{') {
		return nil
	}
	var keys []string
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// PropValue renders a manifest property value as iocage puts it on the
// create command line (f'{k}={v}'), except that JSON true/false become
// 1/0: iocage would write Python's True/False, which it then reads back
// as truthy/falsy anyway.
func PropValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case string:
		return x
	case json.Number:
		return x.String()
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// JailCopy renders the manifest as iocage keeps it beside the jail's
// config (json.dumps(conf, indent=4, sort_keys=True)): sorted keys, four
// spaces, non-ASCII escaped, no trailing newline.
func (m *Manifest) JailCopy() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	var v any
	d := json.NewDecoder(bytes.NewReader(m.rawDocument))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return asciiEscape(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// asciiEscape is Python's ensure_ascii: every non-ASCII character as
// \uXXXX (surrogate pairs above the BMP).
func asciiEscape(b []byte) []byte {
	var out bytes.Buffer
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			out.WriteRune(r)
		case r < 0x10000:
			fmt.Fprintf(&out, "\\u%04x", r)
		default:
			r -= 0x10000
			fmt.Fprintf(&out, "\\u%04x\\u%04x", 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		}
	}
	return out.Bytes()
}

// ReadManifest reads and validates a manifest from r.
func ReadManifest(r io.Reader) (*Manifest, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return ParseManifest(b)
}

// StartNeeds reads only what a start needs from a manifest kept beside a
// jail (devfs_ruleset and kmods), without the schema: iocage's start
// reads these keys from whatever manifest the jail has.
func StartNeeds(b []byte) (*DevfsRuleset, []string, error) {
	var m struct {
		Devfs *struct {
			Paths    json.RawMessage `json:"paths"`
			Includes []string        `json:"includes"`
		} `json:"devfs_ruleset"`
		Kmods json.RawMessage `json:"kmods"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil, ErrInvalidJSON
	}
	var d *DevfsRuleset
	if m.Devfs != nil {
		var paths map[string]any
		if len(m.Devfs.Paths) > 0 {
			if err := json.Unmarshal(m.Devfs.Paths, &paths); err != nil {
				return nil, nil, fmt.Errorf("devfs_ruleset.paths: %w", err)
			}
		}
		d = &DevfsRuleset{Includes: m.Devfs.Includes}
		for _, k := range objectKeys(m.Devfs.Paths) {
			mode := ""
			if v := paths[k]; v != nil {
				s, ok := v.(string)
				if !ok {
					return nil, nil, fmt.Errorf("devfs_ruleset.paths.%s: not a string", k)
				}
				mode = s
			}
			d.Paths = append(d.Paths, DevfsPath{k, mode})
		}
	}
	var kmods []string
	if len(m.Kmods) > 0 {
		if err := json.Unmarshal(m.Kmods, &kmods); err != nil {
			kmods = objectKeys(m.Kmods)
		}
	}
	return d, kmods, nil
}
