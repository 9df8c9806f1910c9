package mirror

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"strings"
)

// The texts below follow the shape of the files a FreeBSD release ships,
// keeping the lines that tools read (USERLAND_VERSION, freebsd-update.conf
// keywords, osreldate) exact and everything else short.

// freebsdVersionScript is bin/freebsd-version. As in the real script the
// version is a plain assignment near the top, so that it can be read with
// grep '^USERLAND_VERSION=' without running anything.
func freebsdVersionScript(userland string) string {
	return `#!/bin/sh
#-
# SPDX-License-Identifier: BSD-2-Clause
#
# freebsd-version: print the version and patch level of the installed
# kernel, the running kernel and/or the userland.
#

set -e

USERLAND_VERSION="` + userland + `"

: ${ROOT:=}
: ${LOADER_DIR:=$ROOT/boot}
: ${LOADER_CONF_FILES:=$LOADER_DIR/defaults/loader.conf $LOADER_DIR/loader.conf $LOADER_DIR/loader.conf.local}
LOADER_RE1='^\([A-Z_a-z][0-9A-Z_a-z]*=[-./0-9A-Z_a-z]\{1,\}\).*$'
LOADER_RE2='^\([A-Z_a-z][0-9A-Z_a-z]*="[-./0-9A-Z_a-z]\{1,\}"\).*$'

progname=${0##*/}

# Print an error message and exit.
error() {
	echo "$progname: $*" >&2
	exit 1
}

# Work out which kernel the loader would boot.
kernel_file() {
	eval $(sed -n "s/$LOADER_RE1/\\1;/p; s/$LOADER_RE2/\\1;/p" \
	    $LOADER_CONF_FILES 2>/dev/null)
	KERNEL_DIR=${kernel:-kernel}
	kernel_path=${kernel_path:-/boot}
	oifs="$IFS"
	IFS=";"
	for kp in ${kernel_path}; do
		if [ -d "$ROOT$kp/$KERNEL_DIR" ]; then
			KERNEL_DIR="$ROOT$kp/$KERNEL_DIR"
			break
		fi
	done
	IFS="$oifs"
	if [ ! -d "$KERNEL_DIR" ]; then
		KERNEL_DIR="$LOADER_DIR/$KERNEL_DIR"
	fi
	KERNEL_FILE="$KERNEL_DIR/kernel"
}

# Version of the installed kernel.
kernel_version() {
	kernel_file
	if [ ! -f "$KERNEL_FILE" ] || [ ! -r "$KERNEL_FILE" ]; then
		error "unable to locate kernel"
	fi
	what -qs "$KERNEL_FILE"
}

# Version of the running kernel.
running_version() {
	sysctl -n kern.osrelease
}

# Version of the userland.
userland_version() {
	echo $USERLAND_VERSION
}

# Version of the userland in each jail given with -j.
jail_userland_version() {
	for i in $jail; do
		jexec -- "$i" freebsd-version -u
	done
}

usage() {
	echo "usage: $progname [-kru] [-j jail]" >&2
	exit 1
}

main() {
	local OPTIND=1 OPTARG option
	opt_k=0 opt_r=0 opt_u=0 opt_j=0 jail=
	while getopts "kruj:" option; do
		case $option in
		k) opt_k=1 ;;
		r) opt_r=1 ;;
		u) opt_u=1 ;;
		j) opt_j=1; jail="$jail $OPTARG" ;;
		*) usage ;;
		esac
	done
	if [ $OPTIND -le $# ]; then
		usage
	fi
	# Without flags, report the userland.
	if [ $((opt_k + opt_r + opt_u + opt_j)) -eq 0 ]; then
		opt_u=1
	fi
	if [ $opt_k -eq 1 ]; then kernel_version; fi
	if [ $opt_r -eq 1 ]; then running_version; fi
	if [ $opt_u -eq 1 ]; then userland_version; fi
	if [ $opt_j -eq 1 ]; then jail_userland_version; fi
}

main "$@"
`
}

// freebsdUpdateConf is etc/freebsd-update.conf as a release installs it.
const freebsdUpdateConf = `# Configuration file for freebsd-update(8).

# Trust the RSA key with this SHA256 hash.
KeyPrint 800651ef4b4c71c27e60786d7b487188970f4b4169cc055784e21eb71d410cc5

# Server or server pool to fetch updates from.
ServerName update.FreeBSD.org

# Components of the base system to keep updated.
Components src world kernel

# To update the userland and the kernel sources only:
# Components src/base src/sys world

# Paths starting with an IgnorePaths entry are left alone.
IgnorePaths

# Paths starting with an IDSIgnorePaths entry are skipped by "IDS".
IDSIgnorePaths /usr/share/man/cat
IDSIgnorePaths /usr/share/man/whatis
IDSIgnorePaths /var/db/locate.database
IDSIgnorePaths /var/log

# Paths starting with an UpdateIfUnmodified entry are only updated when the
# user has not changed them (unless the changes are merged, below).
UpdateIfUnmodified /etc/ /var/ /root/ /.cshrc /.profile

# On a release upgrade, local changes to these paths are merged into the
# new release's version.
MergeChanges /etc/ /boot/device.hints

### Defaults, shown for reference:

# Where downloaded updates and temporary files are kept.
# WorkDir /var/db/freebsd-update

# Who gets the output of "freebsd-update cron".
# MailTo root

# May freebsd-update create new files?
# AllowAdd yes

# May freebsd-update delete files?
# AllowDelete yes

# Keep locally changed ownership, mode and flags when a file is replaced?
# KeepModifiedMetadata yes

# Treat Components strictly on upgrade, or as a list to narrow down?
# StrictComponents no

# Keep a copy of the running kernel before installing a new one.
# BackupKernel yes

# Where that copy goes.
# BackupKernelDir /boot/kernel.old

# Copy the kernel's debug symbol files too?
# BackupKernelSymbolFiles no

# Create a boot environment before installing updates.
# CreateBootEnv yes
`

// freebsdUpdatePlaceholder stands in for usr/sbin/freebsd-update. On a test
// host the simulator in PATH plays freebsd-update(8); this script hands
// over to it, and otherwise fails loudly rather than pretend to update.
const freebsdUpdatePlaceholder = `#!/bin/sh
# freebsd-update(8) of a synthetic release. It cannot update anything by
# itself: it runs the first other freebsd-update found in PATH.
self=$(cd "$(dirname "$0")" && pwd -P)/$(basename "$0")
IFS=:
for d in $PATH; do
	[ -n "$d" ] || continue
	if [ -x "$d/freebsd-update" ] && [ "$(cd "$d" && pwd -P)/freebsd-update" != "$self" ]; then
		unset IFS
		exec "$d/freebsd-update" "$@"
	fi
done
echo "freebsd-update: this is a synthetic release; no freebsd-update simulator in PATH" >&2
exit 1
`

// stubScript is a tiny sh tool for the sets' scripts that jcage never
// needs to run on a Linux host.
func stubScript(name string) string {
	return "#!/bin/sh\n# " + name + " of a synthetic release.\necho \"" + name + ": not available in a synthetic release\" >&2\nexit 1\n"
}

const etcHosts = `#
# Host Database
#
# This file should contain the addresses and aliases for local hosts that
# share this file.  Replace 'my.domain' below with the domainname of your
# machine.
#
# In the presence of the domain name service or NIS, this file may
# not be consulted at all; see /etc/nsswitch.conf for the resolution order.
#
#
::1			localhost localhost.my.domain
127.0.0.1		localhost localhost.my.domain
#
# Imaginary network.
#10.0.0.2		myname.my.domain myname
#10.0.0.3		myfriend.my.domain myfriend
`

var users = []struct {
	name      string
	uid, gid  int
	gecos     string
	home, sh  string
	class     string
	noPasswrd bool
}{
	{"root", 0, 0, "Charlie &", "/root", "/bin/sh", "", true},
	{"toor", 0, 0, "Bourne-again Superuser", "/root", "", "", false},
	{"daemon", 1, 1, "Owner of many system processes", "/root", "/usr/sbin/nologin", "", false},
	{"operator", 2, 5, "System &", "/", "/usr/sbin/nologin", "", false},
	{"bin", 3, 7, "Binaries Commands and Source", "/", "/usr/sbin/nologin", "", false},
	{"tty", 4, 65533, "Tty Sandbox", "/", "/usr/sbin/nologin", "", false},
	{"kmem", 5, 65533, "KMem Sandbox", "/", "/usr/sbin/nologin", "", false},
	{"games", 7, 13, "Games pseudo-user", "/", "/usr/sbin/nologin", "", false},
	{"news", 8, 8, "News Subsystem", "/", "/usr/sbin/nologin", "", false},
	{"man", 9, 9, "Mister Man Pages", "/usr/share/man", "/usr/sbin/nologin", "", false},
	{"sshd", 22, 22, "Secure Shell Daemon", "/var/empty", "/usr/sbin/nologin", "", false},
	{"smmsp", 25, 25, "Sendmail Submission User", "/var/spool/clientmqueue", "/usr/sbin/nologin", "", false},
	{"mailnull", 26, 26, "Sendmail Default User", "/var/spool/mqueue", "/usr/sbin/nologin", "", false},
	{"bind", 53, 53, "Bind Sandbox", "/", "/usr/sbin/nologin", "", false},
	{"unbound", 59, 59, "Unbound DNS Resolver", "/var/unbound", "/usr/sbin/nologin", "", false},
	{"proxy", 62, 62, "Packet Filter pseudo-user", "/nonexistent", "/usr/sbin/nologin", "", false},
	{"_pflogd", 64, 64, "pflogd privsep user", "/var/empty", "/usr/sbin/nologin", "", false},
	{"_dhcp", 65, 65, "dhcp programs", "/var/empty", "/usr/sbin/nologin", "", false},
	{"uucp", 66, 66, "UUCP pseudo-user", "/var/spool/uucppublic", "/usr/local/libexec/uucp/uucico", "", false},
	{"pop", 68, 6, "Post Office Owner", "/nonexistent", "/usr/sbin/nologin", "", false},
	{"auditdistd", 78, 77, "Auditdistd unprivileged user", "/var/empty", "/usr/sbin/nologin", "", false},
	{"www", 80, 80, "World Wide Web Owner", "/nonexistent", "/usr/sbin/nologin", "", false},
	{"ntpd", 123, 123, "NTP Daemon", "/var/db/ntp", "/usr/sbin/nologin", "", false},
	{"_ypldap", 160, 160, "YP LDAP unprivileged user", "/var/empty", "/usr/sbin/nologin", "", false},
	{"hast", 845, 845, "HAST unprivileged user", "/var/empty", "/usr/sbin/nologin", "", false},
	{"tests", 977, 977, "Unprivileged user for tests", "/nonexistent", "/usr/sbin/nologin", "", false},
	{"nobody", 65534, 65534, "Unprivileged user", "/nonexistent", "/usr/sbin/nologin", "", false},
}

func etcPasswd() string {
	var b strings.Builder
	b.WriteString("#\n")
	for _, u := range users {
		fmt.Fprintf(&b, "%s:*:%d:%d:%s:%s:%s\n", u.name, u.uid, u.gid, u.gecos, u.home, u.sh)
	}
	return b.String()
}

func etcMasterPasswd() string {
	var b strings.Builder
	b.WriteString("#\n")
	for _, u := range users {
		pw := "*"
		if u.noPasswrd {
			pw = ""
		}
		fmt.Fprintf(&b, "%s:%s:%d:%d:%s:0:0:%s:%s:%s\n", u.name, pw, u.uid, u.gid, u.class, u.gecos, u.home, u.sh)
	}
	return b.String()
}

const etcGroup = `#
wheel:*:0:root
daemon:*:1:
kmem:*:2:
sys:*:3:
tty:*:4:
operator:*:5:root
mail:*:6:
bin:*:7:
news:*:8:
man:*:9:
games:*:13:
ftp:*:14:
staff:*:20:
sshd:*:22:
smmsp:*:25:
mailnull:*:26:
guest:*:31:
video:*:44:
realtime:*:47:
bind:*:53:
unbound:*:59:
proxy:*:62:
authpf:*:63:
_pflogd:*:64:
_dhcp:*:65:
uucp:*:66:
dialer:*:68:
network:*:69:
audit:*:77:
www:*:80:
ntpd:*:123:
_ypldap:*:160:
hast:*:845:
tests:*:977:
nogroup:*:65533:
nobody:*:65534:
`

const etcShells = `# List of acceptable shells for chpass(1).
# ftpd(8) will not allow users to connect who are not using
# one of these shells.

/bin/sh
/bin/csh
/bin/tcsh
`

const etcDefaultsRcConf = `#!/bin/sh

# This is rc.conf - a file full of useful variables that you can set
# to change the default startup behavior of your system.  You should
# not edit this file!  Put any overrides into one of the
# ${rc_conf_files} instead and you will be able to update these
# defaults later without spamming your local configuration information.

rc_debug="NO"		# Set to YES to enable debugging output from rc.d
rc_info="NO"		# Enables display of informational messages at boot.
rc_startmsgs="YES" 	# Show "Starting foo:" messages at boot
rcshutdown_timeout="90" # Seconds to wait before terminating rc.shutdown

early_late_divider="FILESYSTEMS"	# Script that separates early/late
always_force_depends="NO"	# Set to check that indicated dependencies are
				# running during boot (can increase boot time).

hostname=""			# Set this!
ifconfig_lo0="inet 127.0.0.1"	# default loopback device configuration.
defaultrouter="NO"		# Set to default gateway (or NO).
syslogd_enable="YES"		# Run syslog daemon (or NO).
syslogd_flags="-s"		# Flags to syslogd (if enabled).
cron_enable="YES"		# Run the periodic job daemon.
sendmail_enable="NO"		# Run the sendmail inbound daemon (YES/NO).
sshd_enable="NO"		# Enable sshd
clear_tmp_enable="NO"		# Clear /tmp at startup.
zfs_enable="NO"			# Set YES to automatically mount ZFS file systems

##############################################################
### Allow local configuration override at the very end here ##
##############################################################
# All arguments must be in double or single quotes.
rc_conf_files="/etc/rc.conf /etc/rc.conf.local"
`

const etcLoginConf = `# login.conf - login class capabilities database.
default:\
	:passwd_format=sha512:\
	:copyright=/etc/COPYRIGHT:\
	:welcome=/var/run/motd:\
	:setenv=BLOCKSIZE=K:\
	:mail=/var/mail/$:\
	:path=/sbin /bin /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin ~/bin:\
	:nologin=/var/run/nologin:\
	:umask=022:

daemon:\
	:path=/sbin /bin /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin:\
	:mail@:\
	:memorylocked=128M:\
	:tc=default:

root:\
	:ignorenologin:\
	:memorylocked=unlimited:\
	:tc=default:
`

func pkgConf(major int) string {
	s := `FreeBSD: {
  url: "pkg+http://pkg.FreeBSD.org/${ABI}/quarterly",
  mirror_type: "srv",
  signature_type: "fingerprints",
  fingerprints: "/usr/share/keys/pkg",
  enabled: yes
}
`
	if major >= 14 {
		s += `FreeBSD-kmods: {
  url: "pkg+http://pkg.FreeBSD.org/${ABI}/kmods_quarterly_${VERSION_MINOR}",
  mirror_type: "srv",
  signature_type: "fingerprints",
  fingerprints: "/usr/share/keys/pkg",
  enabled: yes
}
`
	}
	return s
}

const pkgFingerprint = `function: "sha256"
fingerprint: "b0170035af3acc5f3f3ae1859dc717101b4e6c1d0a794ad554928ca0cbb2f438"
`

// libcLDScript is usr/lib/libc.so: a linker script, not a library.
const libcLDScript = `/* This file is a linker script, not a shared object. */
GROUP ( /lib/libc.so.7 /usr/lib/libc_nonshared.a /usr/lib/libssp_nonshared.a )
`

const rcScript = `#!/bin/sh
#
# System startup script run by init on autoboot or after single-user.
#

stty status '^T' 2> /dev/null
trap : 2
trap "echo 'Boot interrupted'; exit 1" 3

HOME=/
PATH=/sbin:/bin:/usr/sbin:/usr/bin
export HOME PATH

. /etc/rc.subr
load_rc_config

files=$(rcorder ${rc_rcorder_flags} /etc/rc.d/* 2>/dev/null)
for _rc_elem in ${files}; do
	run_rc_script ${_rc_elem} ${_boot}
done

exit 0
`

func rcDScript(name string) string {
	return `#!/bin/sh
#
# PROVIDE: ` + name + `
# REQUIRE: FILESYSTEMS
# KEYWORD: shutdown

. /etc/rc.subr

name="` + name + `"
rcvar="${name}_enable"
command="/usr/sbin/${name}"

load_rc_config $name
run_rc_command "$1"
`
}

// osreldate is __FreeBSD_version for a release: 14.3 is 1403000.
func osreldate(rel string) int {
	m := releaseRE.FindStringSubmatch(rel)
	if m == nil {
		return 0
	}
	var major, minor int
	fmt.Sscan(m[1], &major)
	fmt.Sscan(m[2], &minor)
	return major*100000 + minor*1000
}

// newversSh is the part of sys/conf/newvers.sh that names the release.
func newversSh(rel string) string {
	revision, branch := rel, "RELEASE"
	if i := strings.IndexByte(rel, '-'); i > 0 {
		revision, branch = rel[:i], rel[i+1:]
	}
	return `#!/bin/sh
#
# Compute the version strings of the kernel and userland.
#

TYPE="FreeBSD"
REVISION="` + revision + `"
BRANCH="` + branch + `"
if [ -n "${BRANCH_OVERRIDE}" ]; then
	BRANCH=${BRANCH_OVERRIDE}
fi
RELEASE="${REVISION}-${BRANCH}"
VERSION="${TYPE} ${RELEASE}"
`
}

// tzifUTC is a TZif version 2 file for UTC, as zic writes it: one local
// time type, no transitions, and the POSIX TZ string "UTC0".
func tzifUTC() []byte {
	var b bytes.Buffer
	block := func() {
		b.WriteString("TZif2")
		b.Write(make([]byte, 15))
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, 4} {
			_ = binary.Write(&b, binary.BigEndian, n)
		}
		b.Write([]byte{0, 0, 0, 0, 0, 0}) // utoff 0, isdst 0, desigidx 0
		b.WriteString("UTC\x00")
	}
	block() // version 1 data
	block() // version 2+ data (64-bit times; there are none)
	b.WriteString("\nUTC0\n")
	return b.Bytes()
}

// manPage is a gzip-compressed roff page, as usr/share/man holds them.
func manPage(name, section, desc string) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	fmt.Fprintf(zw, ".Dd January 1, 2024\n.Dt %s %s\n.Os\n.Sh NAME\n.Nm %s\n.Nd %s\n.Sh SYNOPSIS\n.Nm\n.Sh DESCRIPTION\nThe\n.Nm\nutility %s.\n",
		strings.ToUpper(name), section, name, desc, desc)
	_ = zw.Close()
	return b.Bytes()
}

// cSource is a plausible C file, for the bulk of src.txz.
func cSource(name string, lines int) []byte {
	f := newFiller(seedOf(name))
	idents := []string{"error", "len", "buf", "flags", "td", "vp", "cred", "jail", "prison", "ifp", "m", "so", "ucred", "count"}
	types := []string{"int", "size_t", "struct thread *", "struct vnode *", "u_int", "char *", "struct prison *"}
	pick := func(xs []string) string {
		var x [1]byte
		_, _ = f.Read(x[:])
		return xs[int(x[0])%len(xs)]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "/*-\n * SPDX-License-Identifier: BSD-2-Clause\n */\n\n#include <sys/param.h>\n#include <sys/systm.h>\n\n")
	for i := 0; b.Len() < lines*40; i++ {
		fn := fmt.Sprintf("%s_%s%d", strings.TrimSuffix(path2ident(name), "_c"), pick(idents), i)
		fmt.Fprintf(&b, "static %s\n%s(%s%s, int %s)\n{\n", pick(types), fn, pick(types), pick(idents), pick(idents))
		for j := 0; j < 6; j++ {
			fmt.Fprintf(&b, "\tif (%s != NULL && %s > %d)\n\t\treturn (%s);\n", pick(idents), pick(idents), j, pick(idents))
		}
		b.WriteString("\treturn (0);\n}\n\n")
	}
	return []byte(b.String())
}

func path2ident(p string) string {
	r := strings.NewReplacer("/", "_", ".", "_", "-", "_")
	return r.Replace(p)
}

// Machine numbers for the ELF header of stub binaries.
const (
	emI386    = 3
	emARM     = 40
	emX86_64  = 62
	emAARCH64 = 183
)

// elfStub is a FreeBSD ELF header followed by filler: enough for file(1)
// to call it an executable or shared object for the right machine. It is
// never meant to run.
func elfStub(name string, machine uint16, shared bool, size int) []byte {
	class32 := machine == emI386 || machine == emARM
	hdr := make([]byte, 64)
	copy(hdr, "\x7fELF")
	hdr[4] = 2 // ELFCLASS64
	if class32 {
		hdr[4] = 1
	}
	hdr[5] = 1 // little endian
	hdr[6] = 1 // EV_CURRENT
	hdr[7] = 9 // ELFOSABI_FREEBSD
	typ := uint16(2)
	if shared {
		typ = 3
	}
	binary.LittleEndian.PutUint16(hdr[16:], typ)
	binary.LittleEndian.PutUint16(hdr[18:], machine)
	binary.LittleEndian.PutUint32(hdr[20:], 1)
	if class32 {
		binary.LittleEndian.PutUint16(hdr[40:], 52) // e_ehsize
		hdr = hdr[:52]
	} else {
		binary.LittleEndian.PutUint16(hdr[52:], 64)
	}
	if size < len(hdr) {
		size = len(hdr)
	}
	out := append(hdr, newFiller(seedOf(name)).bytes(size-len(hdr))...)
	return out
}
