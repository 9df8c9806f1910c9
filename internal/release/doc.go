// Package release fetches FreeBSD releases from a mirror into
// POOL/iocage/releases/REL: MANIFEST verification, download, hash and
// extraction overlapped in one stream, the freebsd-update patch step, and
// the list of fetched releases.
package release
