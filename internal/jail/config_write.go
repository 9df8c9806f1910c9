package jail

import (
	"bytes"
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
	return writable(path, c, ro, func() error {
		return atomicfile.Write(path, c.Marshal(), 0o644)
	})
}

// writable runs write with the template's dataset made writable around it.
func writable(path string, c *Config, ro ReadOnlyFunc, write func() error) (err error) {
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

// Update changes the config at path under its lock: it waits for the lock,
// reads the file as it is now, applies fn, and writes the result. Two
// Updates of the same file, from goroutines or processes, never lose each
// other's change. Nothing is written when fn fails or changes nothing.
// Update refuses to lower CONFIG_VERSION. A mutation that must hold the
// lock across more steps uses LockFile and the FileLock's methods instead.
func Update(path string, ro ReadOnlyFunc, fn func(*Config) error) error {
	lock, err := LockFile(path)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	data, err := lock.ReadAll()
	if err != nil {
		return err
	}
	c, err := Parse(data)
	if err != nil {
		return withPath(err, path)
	}
	before, hadVersion := c.Version()
	if err := fn(c); err != nil {
		return err
	}
	if after, ok := c.Version(); hadVersion && (!ok || after < before) {
		return fmt.Errorf("%s: refusing to lower CONFIG_VERSION from %d", path, before)
	}
	if bytes.Equal(c.Marshal(), data) {
		return nil
	}
	if err := lock.WriteConfig(c, ro); err != nil {
		return err
	}
	return lock.Unlock()
}
