package zfsshim

import (
	"slices"
	"strings"
)

// readonlyProp is the one native property whose reported value zfs-fuse
// takes from the mount rather than from the setting. Its mounts are always
// "rw" to the kernel (the daemon refuses writes itself), so a mounted
// dataset with readonly=on reads back "off" with source "temporary".
// The shim keeps a copy of every readonly setting in a shadow user
// property, which is inherited and renamed along with the native one, and
// reports the setting from it; OpenZFS reports "on local" or "inherited".
const readonlyProp = "readonly"

// configuredReadonly turns zfs-fuse's "temporary" readonly value (the
// mount's state) into the stored setting. shadow is the shim's copy of
// the setting, nil when the dataset has none.
func configuredReadonly(v value, shadow *row) value {
	if v.source != "temporary" {
		return v
	}
	// The mount differs from the setting, so the setting is the other
	// value.
	stored := "on"
	if v.value == "on" {
		stored = "off"
	}
	v.value = stored
	switch {
	case shadow != nil && shadow.value == stored:
		v.source = shadow.source
	case stored == "off":
		v.source = "default"
	default:
		// Set without the shim (received, or by the real zfs): local is
		// the likeliest source.
		v.source = "local"
	}
	return v
}

// runBusy runs argv, retrying while zfs-fuse reports the dataset busy.
func (s *Shim) runBusy(argv []string) Result {
	for attempt := 0; ; attempt++ {
		res := s.Real.Run(ZFS, argv)
		if _, busy := transientBusy(res.Stderr); res.Code == 0 || !busy || attempt == busyAttempts-1 {
			return res
		}
		s.retryBusy(argv, attempt, res.Stderr)
	}
}

// remount unmounts the mounted filesystems among each target and its
// descendants and mounts them again, parents first, so that a changed
// readonly setting applies to the mounts as it does at once on OpenZFS.
// A mount a process holds can't be unmounted; it and its ancestors stay
// mounted as they are (zfs-fuse's daemon already refuses most writes to
// a readonly dataset). A mount that fails afterwards is reported, since it
// leaves the dataset unmounted.
func (s *Shim) remount(targets []string) int {
	code := 0
	var done []string
	for _, t := range targets {
		if strings.Contains(t, "@") || slices.ContainsFunc(done, func(d string) bool { return t == d || strings.HasPrefix(t, d+"/") }) {
			continue
		}
		done = append(done, t)
		var down []string // deepest first
		for _, d := range slices.Backward(s.mountedTree(t)) {
			if s.runBusy([]string{"umount", d}).Code != 0 {
				break
			}
			down = append(down, d)
		}
		for _, d := range slices.Backward(down) {
			if res := s.runBusy([]string{"mount", d}); res.Code != 0 {
				s.Stderr.Write(res.Stderr)
				code = 1
			}
		}
	}
	return code
}
