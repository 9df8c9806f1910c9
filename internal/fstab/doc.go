// Package fstab reads and writes a jail's fstab(5) file as iocage and libc
// write it (TAB-separated, vis-encoded fields, iocage's comment), and
// resolves destinations inside the jail root so that no entry can reach
// outside it through ".." or a symlink.
//
// # The file
//
// iocage reads a jail's fstab with libc's getfsent(3) and writes it back
// whole on every change, so the file always looks like this:
//
//	SRC<TAB>DST<TAB>FSTYPE<TAB>OPTIONS<TAB>DUMP<TAB>PASS
//	SRC<TAB>DST<TAB>FSTYPE<TAB>OPTIONS<TAB>DUMP<TAB>PASS # Added by iocage on 2023-11-23 11:45:10
//
// SRC and DST are encoded with strvis(3) (a space is \040, see Vis), DST
// is a host path under the jail's root, the timestamp is UTC, and only the
// line added or replaced last carries the comment: comments, blank lines
// and lines getfsent rejects are gone after any change. Table reproduces
// exactly that; Entry.String is one line.
//
// # Confinement
//
// Users name destinations as the jail sees them. Resolve maps such a path
// to the host path and refuses one that a ".." or a symlink would take out
// of the jail's root, checking the symlinks both as the jail sees them
// (github.com/cyphar/filepath-securejoin) and as the host kernel will
// follow them when mount(8) runs; the two must agree.
package fstab
