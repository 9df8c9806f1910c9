package fstab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// LongDest is iocage's warning threshold: mount points longer than this
// may fail (MNAMELEN was 88 before FreeBSD 12).
const LongDest = 88

// LongDestWarning is iocage's warning for such a destination.
const LongDestWarning = "The destination's mountpoint exceeds 88 characters, this may cause failure!"

// Validate checks e before it goes into t, a jail's fstab, as iocage
// checks it: the destination is under jailRoot, is confined to it (see
// Resolve), is an existing directory and is not already used by another
// entry (skip is the index of the entry being replaced, or -1); a nullfs
// source is absolute and exists. DUMP and PASS were checked by
// ParseFields. Beyond iocage, fields that would not survive a re-read are
// refused: a '#' (jail(8) cuts the line there), blanks in the type or
// options, and options without rw, ro, rq, sw or xx (getfsent drops the
// line, and iocage would lose it on the next change), and control
// characters anywhere (a path with a newline would make a refusal or a
// listing span lines).
func (t *Table) Validate(e Entry, jailRoot string, skip int) error {
	root := filepath.Clean(jailRoot)
	for _, f := range []struct{ name, value string }{
		{"Source", e.Source}, {"Destination", e.Dest}, {"FSType", e.FSType}, {"Options", e.Options},
	} {
		if f.value == "" {
			return fmt.Errorf("%s: must not be empty", f.name)
		}
		if strings.ContainsFunc(f.value, unicode.IsControl) {
			return fmt.Errorf("%s: %q must not contain control characters", f.name, f.value)
		}
		if strings.Contains(f.value, "#") {
			return fmt.Errorf("%s: %s must not contain '#' (jail(8) reads the rest of the line as a comment)", f.name, f.value)
		}
	}
	for _, f := range []struct{ name, value string }{{"FSType", e.FSType}, {"Options", e.Options}} {
		if strings.ContainsAny(f.value, " \t\n") {
			return fmt.Errorf("%s: %q must not contain blanks", f.name, f.value)
		}
	}
	if fsKind(e.Options) == "" {
		return fmt.Errorf("Options: %s must include rw or ro (libc ignores the entry otherwise)", e.Options)
	}
	if !filepath.IsAbs(e.Dest) {
		return fmt.Errorf("Destination: %s must use an absolute path!", e.Dest)
	}
	if !Within(root, e.Dest) {
		return fmt.Errorf("Destination: %s must include jail's mountpoint! (%s)", e.Dest, root)
	}
	inJail := "/" + strings.TrimPrefix(strings.TrimPrefix(filepath.Clean(e.Dest), root), "/")
	resolved, err := Resolve(root, inJail)
	if err != nil {
		return err
	}
	if resolved != filepath.Clean(e.Dest) {
		return &ConfineError{Dest: inJail, Root: root, Reason: fmt.Sprintf("resolves through a symlink to %s; give that path instead", resolved)}
	}
	for i, o := range t.Entries {
		if i != skip && filepath.Clean(o.Dest) == resolved {
			return fmt.Errorf("Destination: %s already exists!", e.Dest)
		}
	}
	if fi, err := os.Stat(resolved); err != nil || !fi.IsDir() {
		return fmt.Errorf("Destination: %s does not exist or is not a directory.", e.Dest)
	}
	if e.FSType == "nullfs" {
		if !filepath.IsAbs(e.Source) {
			return fmt.Errorf("Source: %s must use an absolute path!", e.Source)
		}
		if fi, err := os.Stat(e.Source); err != nil || !fi.IsDir() {
			return fmt.Errorf("Source: %s does not exist!", e.Source)
		}
	}
	return nil
}

// Warnings are iocage's non-fatal remarks on an entry about to be added.
func Warnings(e Entry) []string {
	if len(e.Dest) > LongDest {
		return []string{LongDestWarning}
	}
	return nil
}

// legacyRoots are where older iocage versions kept their tree; entries
// still pointing there are moved to IOCROOT.
var legacyRoots = []string{"/mnt/mnt", "/mnt/iocage", "/iocage"}

// RewriteLegacy points entries that still name an old iocage tree
// (/iocage, /mnt/iocage, /mnt/mnt/iocage) at iocroot, as iocage does
// before every change: a destination outside jailRoot, or a missing
// nullfs source, is replaced when the same path under iocroot is a
// directory. It returns iocage's message for each replacement.
func (t *Table) RewriteLegacy(iocroot, jailRoot string) []string {
	var msgs []string
	for i := range t.Entries {
		e := &t.Entries[i]
		if !Within(jailRoot, e.Dest) {
			if p, ok := legacyPath(e.Dest, iocroot); ok {
				msgs = append(msgs, fmt.Sprintf("Invalid destination: %s replaced with %s", e.Dest, p))
				e.Dest = p
			}
		}
		if e.FSType == "nullfs" && !isDir(e.Source) {
			if p, ok := legacyPath(e.Source, iocroot); ok {
				msgs = append(msgs, fmt.Sprintf("Invalid source: %s replaced with %s", e.Source, p))
				e.Source = p
			}
		}
	}
	return msgs
}

// legacyPath maps a path under an old tree to iocroot: the part after the
// first "/iocage" is kept.
func legacyPath(p, iocroot string) (string, bool) {
	clean := filepath.Clean(p)
	under := false
	for _, r := range legacyRoots {
		if strings.HasPrefix(clean, r+"/") {
			under = true
		}
	}
	i := strings.Index(clean, "/iocage/")
	if !under || i < 0 {
		return "", false
	}
	np := filepath.Join(iocroot, clean[i+len("/iocage"):])
	if np == clean || !isDir(np) {
		return "", false
	}
	return np, true
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
