// Package confine is the one way jcage touches a path under a jail root.
//
// A jail's root belongs to whoever is root inside the jail: every byte
// under it, symlinks included, may have been prepared for the admin's next
// command. The rule, for all of jcage:
//
//   - Every path under a jail root is opened through this package. The root
//     itself is a dataset mountpoint the host owns; below it, each
//     component is opened relative to the descriptor of its parent with
//     O_NOFOLLOW (openat(2) one component at a time), so no symlink is ever
//     followed, not even one that would stay inside the root, and a
//     component swapped for a symlink between two calls is refused rather
//     than followed. This is the check jail(8) makes in check_path()
//     (usr.sbin/jail/command.c), made race-free by descriptors.
//   - Every write under a jail root is create-temp-then-rename inside the
//     confined parent directory: the temporary file is created with
//     O_CREAT|O_EXCL|O_NOFOLLOW, synced, and renamed over the target with
//     renameat(2), which replaces a symlink instead of following it.
//   - A path handed to a tool that resolves it itself (mount(8),
//     umount(8), freebsd-update -b) comes from CheckPath, which refuses a
//     symlink in any component at the moment it is called, and names the
//     path it refused.
//   - filepath.Join on a jail root appears nowhere else; a test greps for
//     it. Paths the host owns (the jail's dataset directory beside root,
//     IOCROOT, a release's root) may be joined freely; where such a join
//     looks like a jail root, the line says "host-owned" and why.
//
// The package uses no kernel-specific resolve flag, so it behaves the same
// on FreeBSD (the product) and Linux (the test world).
package confine
