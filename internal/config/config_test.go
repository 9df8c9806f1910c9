package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/defaults"
)

func corpus(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "configs", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

func mustParse(t *testing.T, s string) *Config {
	t.Helper()
	c, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return c
}

// TestRoundTrip: every file iocage wrote re-saves byte for byte.
func TestRoundTrip(t *testing.T) {
	for name, data := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			c, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if c.Normalized() {
				t.Error("Normalized() = true for a file iocage wrote")
			}
			if got := c.Marshal(); !bytes.Equal(got, data) {
				t.Errorf("re-save differs:\n--- got\n%s\n--- want\n%s", got, data)
			}
			if got := c.Clone().Marshal(); !bytes.Equal(got, data) {
				t.Error("Clone changed the bytes")
			}
		})
	}
}

// diffLines returns the lines only in a and only in b, assuming both are
// sorted-key configs of the same shape (so a positional walk suffices).
func diffLines(a, b []byte) (onlyA, onlyB []string) {
	la := strings.Split(string(a), "\n")
	lb := strings.Split(string(b), "\n")
	strip := func(s string) string { return strings.TrimSuffix(s, ",") }
	i, j := 0, 0
	for i < len(la) || j < len(lb) {
		switch {
		case i < len(la) && j < len(lb) && strip(la[i]) == strip(lb[j]):
			i++
			j++
		case j < len(lb) && (i >= len(la) || len(lb)-j > len(la)-i):
			onlyB = append(onlyB, lb[j])
			j++
		case i < len(la) && (j >= len(lb) || len(la)-i > len(lb)-j):
			onlyA = append(onlyA, la[i])
			i++
		default:
			onlyA = append(onlyA, la[i])
			onlyB = append(onlyB, lb[j])
			i++
			j++
		}
	}
	return onlyA, onlyB
}

// TestSetChangesOnlyThatKey: setting one property rewrites exactly that
// property's line (or adds exactly one line).
func TestSetChangesOnlyThatKey(t *testing.T) {
	cases := []struct{ key, value, line string }{
		{"notes", "changed ☃", `"notes": "changed ☃"`},
		{"boot", "yes", `"boot": 1`},
		{"allow_raw_sockets", "off", `"allow_raw_sockets": 0`},
		{"priority", "42", `"priority": "42"`},
		{"ip4_addr", "vnet0|10.9.9.9/24", `"ip4_addr": "vnet0|10.9.9.9/24"`},
	}
	for name, data := range corpus(t) {
		for _, tc := range cases {
			c, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			had := c.Has(tc.key)
			before, _ := c.Get(tc.key)
			c.Set(tc.key, tc.value)
			onlyOld, onlyNew := diffLines(data, c.Marshal())
			if after, _ := c.Get(tc.key); had && after == before {
				if onlyOld != nil || onlyNew != nil {
					t.Errorf("%s: set %s to its own value changed %q -> %q", name, tc.key, onlyOld, onlyNew)
				}
				continue
			}
			if len(onlyNew) != 1 || strings.TrimSuffix(strings.TrimSpace(onlyNew[0]), ",") != tc.line {
				t.Errorf("%s: set %s: new lines %q, want just %s", name, tc.key, onlyNew, tc.line)
			}
			wantOld := 0
			if had {
				wantOld = 1
			}
			if len(onlyOld) != wantOld {
				t.Errorf("%s: set %s: removed lines %q", name, tc.key, onlyOld)
			}
			if onlyOld != nil && !strings.HasPrefix(strings.TrimSpace(onlyOld[0]), `"`+tc.key+`": `) {
				t.Errorf("%s: set %s removed another key's line %q", name, tc.key, onlyOld[0])
			}
		}
	}
}

func TestMarshalStrings(t *testing.T) {
	// Expected bytes are what Python's json.dumps(ensure_ascii=False) prints.
	cases := map[string]string{
		"plain":              `"plain"`,
		"a/b":                `"a/b"`,
		"<b>&amp;</b>":       `"<b>&amp;</b>"`,
		"quote\"back\\":      `"quote\"back\\"`,
		"\n\r\t\b\f":         `"\n\r\t\b\f"`,
		"\x00\x01\x1f":       `"\u0000\u0001\u001f"`,
		"\x7f":               "\"\x7f\"",
		"\u2028\u2029":       "\"\u2028\u2029\"",
		"Zürich ☃ 🐡":         `"Zürich ☃ 🐡"`,
		"'single'":           `"'single'"`,
		"\u00a0non-breaking": "\"\u00a0non-breaking\"",
	}
	for in, want := range cases {
		var b bytes.Buffer
		encodeString(&b, in)
		if b.String() != want {
			t.Errorf("encodeString(%q) = %s, want %s", in, b.String(), want)
		}
	}
}

func TestPyNumbers(t *testing.T) {
	// Python: json.dumps(json.loads(literal)).
	cases := map[string]string{
		"1.0": "1.0", "1.5": "1.5", "1e5": "100000.0", "1E5": "100000.0", "1e-5": "1e-05",
		"0.0001": "0.0001", "0.00001": "1e-05", "1e15": "1000000000000000.0", "1e16": "1e+16",
		"1.5e16": "1.5e+16", "123456789012345678.0": "1.2345678901234568e+17", "-0.0": "-0.0",
		"0.1": "0.1", "1e100": "1e+100", "1e-300": "1e-300", "5e-324": "5e-324",
		"1.7976931348623157e308": "1.7976931348623157e+308", "1e400": "Infinity",
		"-1e400": "-Infinity", "2.5e-7": "2.5e-07", "100.0": "100.0", "12345.678": "12345.678",
		"-0": "0", "10": "10", "1e22": "1e+22", "9007199254740993.0": "9007199254740992.0",
		"0.30000000000000004": "0.30000000000000004", "1.25e-4": "0.000125",
		"123456789012345678901234567890": "123456789012345678901234567890",
	}
	for in, want := range cases {
		if got := pyNumber(json.Number(in)); got != want {
			t.Errorf("pyNumber(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestMarshalNested(t *testing.T) {
	c := mustParse(t, `{"b": {"y": [1, {"k": []}, {}], "x": null}, "a": [], "c": {}}`)
	want := `{
    "a": [],
    "b": {
        "x": null,
        "y": [
            1,
            {
                "k": []
            },
            {}
        ]
    },
    "c": {}
}`
	if got := string(c.Marshal()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := string(NewConfig().Marshal()); got != "{}" {
		t.Errorf("empty config = %q", got)
	}
}

func TestParseCorrupt(t *testing.T) {
	bad := []string{
		"", "   ", "{", "[]", `"x"`, "null", "1", `{} {}`, `{"a": 1,}`, `{"a": 1}x`,
		"\xef\xbb\xbf{}", "{\"notes\": \"caf\xe9\"}", `{"a": NaN}`, "{'a': 1}", `{"a": "raw` + "\n" + `newline"}`,
	}
	for _, s := range bad {
		_, err := Parse([]byte(s))
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("Parse(%q) = %v, want ErrCorrupt", s, err)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, ConfigFile)
	os.WriteFile(p, []byte("{\"release\": "), 0o644)
	_, err := Load(p)
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Path != p || !strings.Contains(err.Error(), p) {
		t.Errorf("Load corrupt = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load missing = %v", err)
	}
}

func TestVersions(t *testing.T) {
	for _, v := range []string{`"29"`, `"30"`, `"33"`, `"34"`, `"35"`, `"40"`, `34`} {
		c, err := Parse([]byte(`{"CONFIG_VERSION": ` + v + `}`))
		if err != nil {
			t.Errorf("CONFIG_VERSION %s: %v", v, err)
			continue
		}
		if _, ok := c.Version(); !ok {
			t.Errorf("CONFIG_VERSION %s: Version() not ok", v)
		}
		if got := string(c.Marshal()); got != "{\n    \"CONFIG_VERSION\": "+v+"\n}" {
			t.Errorf("CONFIG_VERSION %s re-saved as %s", v, got)
		}
	}
	for _, v := range []string{`"28"`, `"17"`, `"3"`, `"abc"`, `""`, `null`} {
		_, err := Parse([]byte(`{"CONFIG_VERSION": ` + v + `}`))
		if !errors.Is(err, ErrVersion) {
			t.Errorf("CONFIG_VERSION %s: err = %v, want ErrVersion", v, err)
		}
	}
	_, err := Parse([]byte(`{"CONFIG_VERSION": "28"}`))
	if err == nil || !strings.Contains(err.Error(), "CONFIG_VERSION 28 predates 29; run any iocage command as root once to migrate it") {
		t.Errorf("old version message: %v", err)
	}
	c := mustParse(t, `{"host_hostuuid": "web"}`)
	if _, ok := c.Version(); ok || c.Thick() {
		t.Error("thin config reports a version or thickness")
	}
	if !mustParse(t, `{"CONFIG_TYPE": "THICK", "CONFIG_VERSION": "29"}`).Thick() {
		t.Error("thick config not Thick()")
	}
}

// TestNormalize: the load-time fixes iocage applies and writes back.
func TestNormalize(t *testing.T) {
	in := `{"boot": "yes", "vnet": true, "bpf": 2, "dhcp": "0", "nat": "On", "jail_zfs": 1.0,
		"template": 0, "ip4": "none", "ip6": "new", "host_time": " 1", "rtsold": null,
		"priority": 7, "notes": "on"}`
	c := mustParse(t, in)
	if !c.Normalized() {
		t.Error("Normalized() = false")
	}
	want := `{
    "boot": 1,
    "bpf": 0,
    "dhcp": 0,
    "host_time": 0,
    "ip4": "disable",
    "ip6": "new",
    "jail_zfs": 0,
    "nat": 1,
    "notes": "on",
    "priority": 7,
    "rtsold": 0,
    "template": 0,
    "vnet": 1
}`
	if got := string(c.Marshal()); got != want {
		t.Errorf("normalised:\n%s\nwant\n%s", got, want)
	}
	if mustParse(t, want).Normalized() {
		t.Error("canonical form reports Normalized()")
	}
}

func TestSetTypes(t *testing.T) {
	c := NewConfig()
	c.Set("boot", "on")
	c.Set("allow_nfsd", "false")
	c.Set("priority", "5")
	c.Set("devfs_ruleset", "4")
	c.Set("notes", "1")
	if err := c.SetValue("hostid", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.SetValue("mount_devfs", true); err != nil {
		t.Fatal(err)
	}
	if err := c.SetValue("count", 3); err != nil {
		t.Fatal(err)
	}
	if err := c.SetValue("bad", struct{}{}); err == nil {
		t.Error("SetValue accepted a struct")
	}
	want := `{
    "allow_nfsd": 0,
    "boot": 1,
    "count": 3,
    "devfs_ruleset": "4",
    "hostid": null,
    "mount_devfs": 1,
    "notes": "1",
    "priority": "5"
}`
	if got := string(c.Marshal()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	c.Delete("count")
	if c.Has("count") || c.Len() != 7 {
		t.Error("Delete failed")
	}
	if !slices.IsSorted(c.Keys()) {
		t.Error("Keys not sorted")
	}
}

func TestGetPythonStr(t *testing.T) {
	c := mustParse(t, `{"hostid": null, "flag": true, "off": false, "n": 5, "f": 1e16, "s": "x",
		"l": ["a", 1, null, "it's"], "m": {"b": 2, "a": "q"}, "boot": 1}`)
	want := map[string]string{
		"hostid": "None", "flag": "True", "off": "False", "n": "5", "f": "1e+16", "s": "x",
		"l": `['a', 1, None, "it's"]`, "m": `{'a': 'q', 'b': 2}`, "boot": "1",
	}
	for k, w := range want {
		if got, ok := c.Get(k); !ok || got != w {
			t.Errorf("Get(%s) = %q, want %q", k, got, w)
		}
	}
	if _, ok := c.Get("missing"); ok {
		t.Error("Get(missing) ok")
	}
	v, _ := c.Value("l")
	v.([]any)[0] = "changed"
	if got, _ := c.Get("l"); !strings.HasPrefix(got, "['a'") {
		t.Error("Value did not return a copy")
	}
}

func TestTruthy(t *testing.T) {
	yes := []any{"1", "on", "ON", "Yes", "TRUE", "true", json.Number("1"), true}
	no := []any{"0", "off", "no", "false", "", " 1", "2", "y", "enabled", json.Number("2"), json.Number("1.0"), false, nil}
	for _, v := range yes {
		if !Truthy(v) {
			t.Errorf("Truthy(%#v) = false", v)
		}
	}
	for _, v := range no {
		if Truthy(v) {
			t.Errorf("Truthy(%#v) = true", v)
		}
	}
}

func TestEffective(t *testing.T) {
	d, err := Parse(corpus(t)["defaults-v34.json"])
	if err != nil {
		t.Fatal(err)
	}
	thin, _ := Parse(corpus(t)["v29-thin.json"])
	eff := Effective(d, thin)
	check := func(key, want string) {
		t.Helper()
		if got, _ := eff.Get(key); got != want {
			t.Errorf("effective %s = %q, want %q", key, got, want)
		}
	}
	check("ip4_addr", "em0|10.0.0.5/24") // from the jail
	check("priority", "10")
	check("exec_start", "/bin/sh /etc/rc") // from defaults
	check("boot", "1")
	check("allow_nfsd", "0")
	if eff.Len() != d.Len()+5 { // host_hostname host_hostuuid release cloned_release jail_zfs_dataset
		t.Errorf("effective has %d keys, defaults %d", eff.Len(), d.Len())
	}
	// Later defaults changes show through a thin config...
	d.Set("exec_stop", "/bin/true")
	if got, _ := Effective(d, thin).Get("exec_stop"); got != "/bin/true" {
		t.Error("thin jail does not follow defaults")
	}
	// ...but not through a thick one.
	thick, _ := Parse(corpus(t)["v34-thick.json"])
	if got, _ := Effective(d, thick).Get("exec_stop"); got != "/bin/sh /etc/rc.shutdown" {
		t.Error("thick jail follows defaults")
	}
	// Truthy values are normalised in the effective view, even raw ones.
	raw := NewConfig()
	raw.values["boot"] = "yes"
	if got, _ := Effective(nil, raw).Get("boot"); got != "1" {
		t.Errorf("effective raw boot = %q", got)
	}
	if v, err := GetDisplay(eff, "last_started"); err != nil || v != "2023-11-23 11:45:10" {
		t.Errorf("GetDisplay last_started = %q, %v", v, err)
	}
	if v, _ := GetDisplay(Effective(d), "last_started"); v != "never" {
		t.Errorf("GetDisplay last_started none = %q", v)
	}
	if _, err := GetDisplay(eff, "nonsense"); err == nil || err.Error() != "nonsense is not a valid property!" || !errors.Is(err, ErrUnknownProperty) {
		t.Errorf("GetDisplay unknown = %v", err)
	}
}

func TestEmbeddedDefaultsMarshal(t *testing.T) {
	c, err := ConfigFromMap(defaults.Props())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.Marshal(), defaults.JSON) {
		t.Error("Marshal of the embedded default set differs from defaults.json")
	}
	p, err := Parse(defaults.JSON)
	if err != nil || p.Normalized() {
		t.Errorf("embedded defaults.json: %v, normalized %v", err, p != nil && p.Normalized())
	}
}
