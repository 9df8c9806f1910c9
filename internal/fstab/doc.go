// Package fstab reads and writes a jail's fstab(5) file as iocage and libc
// write it (TAB-separated, vis-encoded fields, iocage's comment), and
// resolves destinations inside the jail root so that no entry can reach
// outside it through ".." or a symlink.
package fstab
