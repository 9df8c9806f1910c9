package txn

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/testworld/fsassert"
)

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
	if err := UpdateConfig(p, func(bool) error { toggled = true; return nil }, func(c *config.Config) error {
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
	if err := UpdateConfig(p, nil, func(c *config.Config) error { c.Set("notes", "x"); return boom }); !errors.Is(err, boom) {
		t.Errorf("Update err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != orig {
		t.Error("failed Update wrote")
	}

	// Lowering CONFIG_VERSION is refused.
	for _, lower := range []func(*config.Config){
		func(c *config.Config) { c.Set("CONFIG_VERSION", "29") },
		func(c *config.Config) { c.Delete("CONFIG_VERSION") },
	} {
		if err := UpdateConfig(p, nil, func(c *config.Config) error { lower(c); return nil }); err == nil || !strings.Contains(err.Error(), "lower CONFIG_VERSION") {
			t.Errorf("lowering CONFIG_VERSION: %v", err)
		}
	}

	if err := UpdateConfig(p, nil, func(c *config.Config) error { c.Set("notes", "hello"); return nil }); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if want := strings.Replace(orig, `"none"`, `"hello"`, 1); string(b) != want {
		t.Errorf("after Update:\n%s", b)
	}

	// A corrupt file is reported as such, with its path.
	os.WriteFile(p, []byte("{oops"), 0o644)
	err := UpdateConfig(p, nil, func(*config.Config) error { return nil })
	var ce *config.CorruptError
	if !errors.As(err, &ce) || ce.Path != p {
		t.Errorf("Update corrupt = %v", err)
	}
	if err := UpdateConfig(filepath.Join(dir, "missing.json"), nil, func(*config.Config) error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Update missing = %v", err)
	}
	fsassert.NoTempFiles(t, dir)
}
