//go:build !linux

package release

import "os"

// setPipeSize does nothing where pipes grow on their own (FreeBSD's do).
func setPipeSize(*os.File) {}
