// Package mirror builds synthetic FreeBSD releases and serves them over HTTP
// the way download.freebsd.org does, so that jcage's fetch can be tested and
// benchmarked on a Linux host against a real HTTP server on 127.0.0.1.
//
// # Releases
//
// Build writes one release directory: base.txz, lib32.txz (where the
// machine has one) and src.txz, optionally kernel.txz, and a MANIFEST in
// the release format (six tab-separated fields per set, see ManifestEntry).
// The sets are tar archives written with archive/tar, so every detail a
// client must get right is exact: members named "./bin/..." in base and
// lib32 but "usr/src/..." in src (as the release build archives them), root
// ownership with FreeBSD group names, setuid and setgid modes (usr/bin/su is
// 04555 root:wheel), hardlinks (bin/[ and bin/test, the rescue binaries),
// relative, absolute and dangling symlinks, SCHILY.fflags=schg on the files
// a release marks immutable, bin/freebsd-version as a working sh script
// with its USERLAND_VERSION line, etc/freebsd-update.conf, and no
// etc/rc.conf. Binaries are ELF headers for the right machine followed by
// filler; nothing in a set is meant to run on the host except the scripts.
//
// Sets are compressed by the system xz (-T0, preset 0 by default). Filler
// for benchmarks (ReleaseSpec.PadBytes) is instead written as stored LZMA2
// chunks inside a multi-block .xz that this package assembles itself: a
// 300 MiB base.txz then builds in a couple of seconds instead of minutes.
// Without a system xz every block is stored; the files are larger but
// still valid .xz.
//
// # Mirror layout
//
// BuildMirror lays releases out under a root directory exactly as the
// canonical URL paths read:
//
//	ROOT/ftp/releases/amd64/amd64/14.3-RELEASE/{MANIFEST,base.txz,lib32.txz,src.txz}
//	ROOT/ftp/releases/arm64/aarch64/14.3-RELEASE/{MANIFEST,base.txz,lib32.txz,src.txz}
//
// A release directory is complete once its MANIFEST exists; the builder
// writes it last, and the server lists and serves only complete releases.
//
// # Server
//
// Server (or Start, which also listens) answers:
//
//	/ftp/releases/                                machines (HTML index)
//	/ftp/releases/amd64/                          amd64/ and, as mirrors keep a
//	                                              compatibility link where machine
//	                                              and machine_arch agree, the releases
//	/ftp/releases/amd64/amd64/                    releases
//	/ftp/releases/amd64/amd64/REL/FILE            MANIFEST and sets (Range, If-Range, HEAD)
//	/ftp/releases/amd64/REL/FILE                  the same file: the path iocage builds
//	/ftp/releases/arm64/aarch64/REL/FILE          arm64 sets; /ftp/releases/arm64/REL/ is 404,
//	                                              as on the real mirrors
//	/releases/..., /pub/FreeBSD/releases/...      the same tree under mirrors' other prefixes
//	/corrupt/KIND/ftp/releases/...                the same tree with one thing wrong, see
//	                                              CorruptHash and the other Corrupt* constants
//	/_stats                                       per-path request counts as JSON; DELETE it
//	                                              (or POST /_stats/reset) to zero them
//
// Directory listings imitate the nginx index pages of download.freebsd.org,
// which iocage scrapes for "-RELEASE" to offer its release menu.
package mirror
