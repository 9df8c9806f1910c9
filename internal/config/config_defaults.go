package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jcage/jcage/defaults"
	"github.com/jcage/jcage/internal/atomicfile"
	"github.com/jcage/jcage/internal/layout"
)

// DefaultsMissingNotice is the NOTICE iocage prints when it creates
// defaults.json.
const DefaultsMissingNotice = "Default configuration missing, creating one"

// DefaultsPath returns the path of the default pseudo-jail's config.
func DefaultsPath(iocroot string) string { return filepath.Join(iocroot, DefaultsFile) }

// LoadDefaults reads IOCROOT/defaults.json. On ErrCorrupt iocage goes on
// with its built-in set (BuiltinDefaults) after printing
// DefaultsCorruptMessage, and leaves the file alone.
func LoadDefaults(iocroot string) (*Config, error) {
	return Load(DefaultsPath(iocroot))
}

// DefaultsCorruptMessage is iocage's ERROR for an unparsable defaults.json.
func DefaultsCorruptMessage(iocroot string) string {
	return DefaultsPath(iocroot) + " corrupted (delete to recreate), using memory values."
}

// BuiltinDefaults returns the default set for CONFIG_VERSION v with the
// host's values filled in (see package defaults).
func BuiltinDefaults(v int, host defaults.Host) (*Config, error) {
	m, err := defaults.Build(v, host)
	if err != nil {
		return nil, err
	}
	return ConfigFromMap(m)
}

// HostConfigVersion returns the CONFIG_VERSION a new defaults.json should
// carry: the highest one found in the thick configs of existing jails and
// templates, so that jcage writes what the host's iocage already uses, kept
// within MinConfigVersion..ConfigVersion; ConfigVersion on a host without
// any. Unreadable configs are skipped.
func HostConfigVersion(iocroot string) int {
	best := 0
	dirs := layout.Dirs(iocroot)
	for _, dir := range []string{dirs.Jails(), dirs.Templates()} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			if v, ok := peekVersion(filepath.Join(dir, e.Name(), ConfigFile)); ok && v > best {
				best = v
			}
		}
	}
	switch {
	case best == 0:
		return ConfigVersion
	case best < MinConfigVersion:
		return MinConfigVersion
	case best > ConfigVersion:
		return ConfigVersion
	}
	return best
}

func peekVersion(path string) (int, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return 0, false
	}
	raw, ok := m["CONFIG_VERSION"]
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(pyStr(raw))
	return v, err == nil
}

// EnsureDefaults creates IOCROOT/defaults.json when it does not exist, at
// HostConfigVersion, and reports whether it did (the caller then prints
// DefaultsMissingNotice). An existing file, even a corrupt one, is left
// alone, as iocage does. Concurrent callers are safe: exactly one creates
// the file, atomically.
func EnsureDefaults(iocroot string, host defaults.Host) (bool, error) {
	path := DefaultsPath(iocroot)
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("check %s: %w", path, err)
	}
	c, err := BuiltinDefaults(HostConfigVersion(iocroot), host)
	if err != nil {
		return false, err
	}
	return atomicfile.Create(path, c.Marshal(), 0o644)
}
