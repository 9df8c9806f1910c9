package jail

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestWriteConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ConfigFile)
	c := mustParse(t, `{"notes": "Zürich ☃", "boot": 1}`)
	if err := WriteConfig(p, c, nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		// The temp file starts as 0600; 0644 shows the explicit chmod.
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(p)
	if string(b) != "{\n    \"boot\": 1,\n    \"notes\": \"Zürich ☃\"\n}" {
		t.Errorf("content %q", b)
	}
	assertNoTempFiles(t, dir)
}

func TestWriteConfigTemplateReadOnly(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ConfigFile)
	var calls []bool
	ro := func(on bool) error { calls = append(calls, on); return nil }

	if err := WriteConfig(p, mustParse(t, `{"template": 0}`), ro); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 0 {
		t.Errorf("readonly toggled for a jail: %v", calls)
	}
	if err := WriteConfig(p, mustParse(t, `{"template": 1, "type": "template"}`), ro); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(calls, []bool{false, true}) {
		t.Errorf("template write toggled %v, want [false true]", calls)
	}

	// A failed write still restores readonly=on, and reports the write error.
	calls = nil
	err := WriteConfig(filepath.Join(dir, "missing", ConfigFile), mustParse(t, `{"template": 1}`), ro)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("write into a missing dir: %v", err)
	}
	if !slices.Equal(calls, []bool{false, true}) {
		t.Errorf("failed template write toggled %v, want [false true]", calls)
	}

	// Failing to make the dataset writable stops before writing.
	before, _ := os.ReadFile(p)
	boom := errors.New("zfs set failed")
	err = WriteConfig(p, mustParse(t, `{"template": 1, "notes": "x"}`), func(on bool) error {
		if !on {
			return boom
		}
		t.Error("readonly=on set after failing readonly=off")
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
	after, _ := os.ReadFile(p)
	if string(before) != string(after) {
		t.Error("file changed although the dataset stayed readonly")
	}

	// Failing to restore readonly is reported.
	err = WriteConfig(p, mustParse(t, `{"template": 1}`), func(on bool) error {
		if on {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("restore failure not reported: %v", err)
	}
}

func TestUpdate(t *testing.T) {
	dir := t.TempDir()
	orig := `{
    "CONFIG_TYPE": "THICK",
    "CONFIG_VERSION": "34",
    "notes": "none"
}`
	p := writeTestConfig(t, dir, orig)
	ino := func() os.FileInfo { fi, _ := os.Stat(p); return fi }
	first := ino()

	// No change: no write at all (a template's readonly is not toggled).
	toggled := false
	if err := Update(p, func(bool) error { toggled = true; return nil }, func(c *Config) error {
		c.Set("notes", "none")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(first, ino()) || toggled {
		t.Error("no-op Update rewrote the file")
	}

	// fn error: nothing written, error passed through.
	boom := errors.New("boom")
	if err := Update(p, nil, func(c *Config) error { c.Set("notes", "x"); return boom }); !errors.Is(err, boom) {
		t.Errorf("Update err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != orig {
		t.Error("failed Update wrote")
	}

	// Lowering CONFIG_VERSION is refused.
	for _, lower := range []func(*Config){
		func(c *Config) { c.Set("CONFIG_VERSION", "29") },
		func(c *Config) { c.Delete("CONFIG_VERSION") },
	} {
		if err := Update(p, nil, func(c *Config) error { lower(c); return nil }); err == nil || !strings.Contains(err.Error(), "lower CONFIG_VERSION") {
			t.Errorf("lowering CONFIG_VERSION: %v", err)
		}
	}

	if err := Update(p, nil, func(c *Config) error { c.Set("notes", "hello"); return nil }); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if want := strings.Replace(orig, `"none"`, `"hello"`, 1); string(b) != want {
		t.Errorf("after Update:\n%s", b)
	}

	// A corrupt file is reported as such, with its path.
	os.WriteFile(p, []byte("{oops"), 0o644)
	err := Update(p, nil, func(*Config) error { return nil })
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.Path != p {
		t.Errorf("Update corrupt = %v", err)
	}
	if err := Update(filepath.Join(dir, "missing.json"), nil, func(*Config) error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Update missing = %v", err)
	}
	assertNoTempFiles(t, dir)
}
