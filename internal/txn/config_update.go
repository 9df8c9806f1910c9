package txn

import (
	"bytes"
	"fmt"

	"github.com/jcage/jcage/internal/config"
)

// UpdateConfig changes the config at path under its lock: it waits for
// the lock, reads the file as it is now, applies fn, and writes the
// result. Two updates of the same file, from goroutines or processes, never lose each
// other's change. Nothing is written when fn fails or changes nothing.
// UpdateConfig refuses to lower CONFIG_VERSION. A mutation that must hold the
// lock across more steps uses LockFile and the FileLock's methods instead.
func UpdateConfig(path string, ro config.ReadOnlyFunc, fn func(*config.Config) error) error {
	lock, err := LockFile(path)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	data, err := lock.ReadAll()
	if err != nil {
		return err
	}
	c, err := config.Parse(data)
	if err != nil {
		return config.WithPath(err, path)
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
