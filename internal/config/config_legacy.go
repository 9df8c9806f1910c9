package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrLegacy marks a jail whose configuration predates config.json.
var ErrLegacy = errors.New("legacy iocage configuration")

// LegacyZFSPrefix prefixes the ZFS user properties in which the shell
// version of iocage kept jail properties.
const LegacyZFSPrefix = "org.freebsd.iocage:"

// LegacyError names the pre-JSON format found and what to do about it.
type LegacyError struct {
	Dir  string // the jail directory
	Kind string // what was found
}

func (e *LegacyError) Error() string {
	return fmt.Sprintf("%s: configuration is in the pre-JSON iocage format (%s) and there is no %s; "+
		"jcage does not convert it: run 'iocage -f list' as root once, which converts it to %s, then retry",
		e.Dir, e.Kind, ConfigFile, ConfigFile)
}

// Is makes errors.Is(err, ErrLegacy) hold.
func (e *LegacyError) Is(target error) bool { return target == ErrLegacy }

// DetectLegacy reports a jail directory that iocage would still convert on
// load: no config.json, but a UCL "config" file (iocage_legacy develop) or
// org.freebsd.iocage:* user properties on the jail dataset (iocage's shell
// version). zfsProps are the dataset's properties, as name → value; pass nil
// when they were not fetched. It returns a *LegacyError, or nil when the
// directory has a config.json or shows neither format. As in iocage, a
// stray "config" beside a config.json is ignored: config.json wins.
func DetectLegacy(dir string, zfsProps map[string]string) error {
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("check %s: %w", dir, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "config")); err == nil && fi.Mode().IsRegular() {
		return &LegacyError{Dir: dir, Kind: "UCL file config"}
	}
	var found []string
	for k := range zfsProps {
		if strings.HasPrefix(k, LegacyZFSPrefix) {
			found = append(found, k)
		}
	}
	if len(found) > 0 {
		slices.Sort(found)
		return &LegacyError{Dir: dir, Kind: fmt.Sprintf("ZFS user properties %s* such as %s", LegacyZFSPrefix, found[0])}
	}
	return nil
}

// LegacyBasejail reports an iocage_legacy basejail (type "basejail"), which
// only `iocage migrate` converts; iocage refuses to start or update it.
func LegacyBasejail(c *Config) bool {
	t, _ := c.Get("type")
	return t == "basejail"
}

// MigrateMessage is iocage's refusal to start a LegacyBasejail.
func MigrateMessage(name string) string {
	return `Please run "iocage migrate" before trying to start ` + name
}
