package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectLegacy(t *testing.T) {
	dir := t.TempDir()
	if err := DetectLegacy(dir, nil); err != nil {
		t.Errorf("empty dir: %v", err)
	}
	if err := DetectLegacy(dir, map[string]string{"org.freebsd.ioc:active": "yes", "compression": "lz4"}); err != nil {
		t.Errorf("unrelated properties: %v", err)
	}

	// Shell-era iocage: properties on the dataset, no file.
	err := DetectLegacy(dir, map[string]string{
		"org.freebsd.iocage:host_hostuuid": "8b5a1cde-4f2e-11e7-9b3a-0cc47a123456",
		"org.freebsd.iocage:tag":           "www",
	})
	var le *LegacyError
	if !errors.As(err, &le) || !errors.Is(err, ErrLegacy) {
		t.Fatalf("ZFS properties: %v", err)
	}
	if !strings.Contains(err.Error(), "org.freebsd.iocage:host_hostuuid") || !strings.Contains(err.Error(), "iocage -f list") {
		t.Errorf("message does not say what was found and what to do: %s", err)
	}

	// iocage_legacy develop: a UCL file named config.
	os.WriteFile(filepath.Join(dir, "config"), []byte("host_hostname = \"www\";\n"), 0o644)
	if err := DetectLegacy(dir, nil); !errors.Is(err, ErrLegacy) || !strings.Contains(err.Error(), "UCL") {
		t.Errorf("UCL config: %v", err)
	}

	// A config.json wins over both, as in iocage.
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("{}"), 0o644)
	if err := DetectLegacy(dir, map[string]string{"org.freebsd.iocage:tag": "www"}); err != nil {
		t.Errorf("config.json present: %v", err)
	}
}

func TestLegacyBasejail(t *testing.T) {
	if !LegacyBasejail(mustParse(t, `{"type": "basejail", "tag": "www"}`)) {
		t.Error("type basejail not detected")
	}
	if LegacyBasejail(mustParse(t, `{"type": "jail", "basejail": 1}`)) {
		t.Error("modern basejail (basejail=1) flagged")
	}
	if MigrateMessage("www") != `Please run "iocage migrate" before trying to start www` {
		t.Error("MigrateMessage")
	}
}
