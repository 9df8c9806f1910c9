// Package release fetches FreeBSD releases from a mirror into
// POOL/iocage/releases/REL: MANIFEST verification, download, hash and
// extraction overlapped in one stream, the freebsd-update patch step, and
// the list of fetched releases.
//
// # Fetching
//
// A Fetcher reads MANIFEST first and keeps a copy in download/REL, as
// iocage does. Each set then travels once: the HTTP body (or the -f file)
// is hashed and written to download/REL/.SET.part, while that file is read
// back behind the download into xz(1), and the system tar extracts what xz
// produces into a staging dataset, download/REL/.staging/root. Between xz
// and tar, archive/tar parses the stream and holds each header back until
// it has been checked (no absolute path, no "..", nothing below a symlink
// an earlier member made), so tar never sees a member the check refused.
// tar restores modes, owners by number, hardlinks, symlinks and, with
// bsdtar, file flags. A set whose hash matches is renamed to
// download/REL/SET; one that does not is discarded with the round's
// staging tree, and the round starts again, at most Rounds times. Only
// when every set of a round verified does the staging dataset become
// POOL/iocage/releases/REL, in one zfs rename. Failures and interrupts
// unwind: the staging dataset goes, and so does a download dataset this
// fetch made, unless an interrupt left a partial file worth resuming.
//
// The Client retries transient HTTP failures with backoff, asking only
// for the missing bytes (Range, with If-Range), and speaks iocage's basic
// and digest authentication; a 404 is iocage's "REL was not found!".
//
// Fetching a release that exists verifies its kept sets (fetching again
// those missing or damaged) and patches it again: iocage's way to update a
// release.
//
// # Patching
//
// Patcher runs the root's own usr/sbin/freebsd-update (never a script
// from GitHub, as iocage does) with iocage's argv and UNAME_r, devfs
// mounted on ROOT/dev around it, and reads USERLAND_VERSION back.
//
// # Destroying
//
// Destroy removes releases/REL (and with Download, download/REL), refusing
// while jails or templates are clones of its snapshots unless Recursive.
package release
