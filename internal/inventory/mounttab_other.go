//go:build !linux && !freebsd

package inventory

import "errors"

// ReadMountTable is not available here: callers fall back to zfs list.
func ReadMountTable() (MountTable, error) {
	return nil, errors.New("no mount table on this system")
}
