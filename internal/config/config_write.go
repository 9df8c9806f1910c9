package config

import (
	"fmt"
	"path/filepath"

	"github.com/jcage/jcage/internal/atomicfile"
)

// ConfigFile is the name of a jail's config inside its directory, and
// DefaultsFile the name of the default pseudo-jail's config in IOCROOT.
const (
	ConfigFile   = "config.json"
	DefaultsFile = "defaults.json"
)

// ReadOnlyFunc switches the ZFS readonly property of the dataset holding a
// config file. ZFS access belongs to the caller, which passes one of these
// for a template (whose dataset iocage keeps readonly=on).
type ReadOnlyFunc func(readonly bool) error

// WriteConfig writes c to path in iocage's format (Marshal), atomically and
// with mode 0644. When c is a template's config and ro is not nil, the
// dataset is made writable first and readonly again afterwards, even if the
// write fails; the first error is returned.
func WriteConfig(path string, c *Config, ro ReadOnlyFunc) error {
	return Writable(path, c, ro, func() error {
		return atomicfile.Write(path, c.Marshal(), 0o644)
	})
}

// Writable runs write with the template's dataset made writable around it.
func Writable(path string, c *Config, ro ReadOnlyFunc, write func() error) (err error) {
	if ro != nil && c.Template() {
		if err := ro(false); err != nil {
			return fmt.Errorf("make %s writable: %w", filepath.Dir(path), err)
		}
		defer func() {
			if rerr := ro(true); rerr != nil && err == nil {
				err = fmt.Errorf("make %s readonly again: %w", filepath.Dir(path), rerr)
			}
		}()
	}
	return write()
}
