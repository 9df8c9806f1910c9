package config

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jcage/jcage/defaults"
	"github.com/jcage/jcage/internal/testworld/fsassert"
)

var testHost = defaults.Host{HostID: ptr("8e7f3b2a-1c4d-11ee-9a55-0cc47a123456"), MACPrefix: "0cc47a"}

func ptr(s string) *string { return &s }

func TestEnsureDefaultsNewHost(t *testing.T) {
	root := t.TempDir()
	created, err := EnsureDefaults(root, testHost)
	if err != nil || !created {
		t.Fatalf("EnsureDefaults = %v, %v", created, err)
	}
	c, err := LoadDefaults(root)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Version(); v != 34 {
		t.Errorf("new host got CONFIG_VERSION %d", v)
	}
	if got, _ := c.Get("mac_prefix"); got != "0ec47a" {
		t.Errorf("mac_prefix %q", got)
	}
	if got, _ := c.Get("hostid"); got != "8e7f3b2a-1c4d-11ee-9a55-0cc47a123456" {
		t.Errorf("hostid %q", got)
	}
	fi, _ := os.Stat(DefaultsPath(root))
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	before, _ := os.ReadFile(DefaultsPath(root))
	created, err = EnsureDefaults(root, defaults.Host{MACPrefix: "020000"})
	if err != nil || created {
		t.Fatalf("second EnsureDefaults = %v, %v", created, err)
	}
	after, _ := os.ReadFile(DefaultsPath(root))
	if !bytes.Equal(before, after) {
		t.Error("existing defaults.json rewritten")
	}
	fsassert.NoTempFiles(t, root)
}

func TestEnsureDefaultsFollowsHostVersion(t *testing.T) {
	root := t.TempDir()
	write := func(kind, name, content string) {
		dir := filepath.Join(root, kind, name)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, ConfigFile), []byte(content), 0o644)
	}
	write("jails", "thin", `{"host_hostuuid": "thin"}`)
	write("jails", "broken", `{`)
	if v := HostConfigVersion(root); v != ConfigVersion {
		t.Errorf("host with thin jails only: %d", v)
	}
	write("jails", "old", `{"CONFIG_TYPE": "THICK", "CONFIG_VERSION": "29"}`)
	write("templates", "tpl", `{"CONFIG_TYPE": "THICK", "CONFIG_VERSION": "31"}`)
	if v := HostConfigVersion(root); v != 31 {
		t.Errorf("highest version seen = %d, want 31", v)
	}
	created, err := EnsureDefaults(root, testHost)
	if err != nil || !created {
		t.Fatal(err)
	}
	c, _ := LoadDefaults(root)
	if v, _ := c.Version(); v != 31 {
		t.Errorf("defaults.json written at %d, want 31", v)
	}
	if c.Has("allow_mount_linsysfs") || !c.Has("allow_nfsd") {
		t.Error("v31 default set has the wrong keys")
	}
	write("jails", "future", `{"CONFIG_TYPE": "THICK", "CONFIG_VERSION": "40"}`)
	if v := HostConfigVersion(root); v != ConfigVersion {
		t.Errorf("future version clamped to %d", v)
	}
	write("jails", "future", `{"CONFIG_TYPE": "THICK", "CONFIG_VERSION": "12"}`)
	os.Remove(filepath.Join(root, "templates", "tpl", ConfigFile))
	os.Remove(filepath.Join(root, "jails", "old", ConfigFile))
	if v := HostConfigVersion(root); v != MinConfigVersion {
		t.Errorf("ancient version clamped to %d", v)
	}
}

func TestEnsureDefaultsCorruptLeftAlone(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(DefaultsPath(root), []byte("{broken"), 0o644)
	created, err := EnsureDefaults(root, testHost)
	if err != nil || created {
		t.Fatalf("EnsureDefaults over corrupt = %v, %v", created, err)
	}
	if _, err := LoadDefaults(root); err == nil {
		t.Error("corrupt defaults loaded")
	}
	if got := DefaultsCorruptMessage("/tank/iocage"); got != "/tank/iocage/defaults.json corrupted (delete to recreate), using memory values." {
		t.Errorf("message %q", got)
	}
	mem, err := BuiltinDefaults(34, testHost)
	if err != nil || mem.Len() != 140 {
		t.Errorf("BuiltinDefaults: %v", err)
	}
}

func TestEnsureDefaultsConcurrent(t *testing.T) {
	root := t.TempDir()
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			created, err := EnsureDefaults(root, defaults.Host{})
			if err != nil {
				t.Error(err)
			}
			if created {
				mu.Lock()
				n++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n != 1 {
		t.Errorf("%d callers created defaults.json, want 1", n)
	}
	if _, err := LoadDefaults(root); err != nil {
		t.Error(err)
	}
	fsassert.NoTempFiles(t, root)
}
