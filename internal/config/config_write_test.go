package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jcage/jcage/internal/testworld/fsassert"
)

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
	fsassert.NoTempFiles(t, dir)
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
