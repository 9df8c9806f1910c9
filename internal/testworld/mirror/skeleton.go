package mirror

import (
	"fmt"
	"strings"
)

// release holds what the set contents depend on.
type release struct {
	name     string // 14.3-RELEASE
	userland string // USERLAND_VERSION
	machine  string // amd64
	major    int
}

// elfMachine is the ELF machine of the release's native binaries.
func (r release) elfMachine() uint16 {
	switch r.machine {
	case "arm64":
		return emAARCH64
	case "i386":
		return emI386
	}
	return emX86_64
}

// elf32Machine is the ELF machine of lib32's binaries.
func (r release) elf32Machine() uint16 {
	if r.machine == "arm64" {
		return emARM
	}
	return emI386
}

// Sizes here are a small fraction of the real ones: unit tests build
// releases often, and PadBytes adds bulk when a test needs it.
func (r release) bin(t *tree, p string, size int) *node {
	return t.file(p, 0o555, elfStub(r.machine+"/"+p, r.elfMachine(), false, size))
}

func (r release) lib(t *tree, p string, size int) *node {
	return t.file(p, 0o444, elfStub(r.machine+"/"+p, r.elfMachine(), true, size))
}

// baseTree is base.txz: the FreeBSD userland a jail runs on.
func baseTree(r release) *tree {
	t := newTree("./")
	t.text("COPYRIGHT", 0o444, copyright)
	// /.cshrc and /root/.cshrc are one file in a release; so are the .profiles.
	t.hardlinks(0o644, []byte("# $FreeBSD$\n#\n# .cshrc - csh resource script, read at beginning of execution by each shell\n\nalias h\t\thistory 25\nalias j\t\tjobs -l\nalias la\tls -aF\nalias lf\tls -FA\nalias ll\tls -lAF\n\nset path = (/sbin /bin /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin $HOME/bin)\n\nsetenv\tEDITOR\tvi\nsetenv\tPAGER\tless\n"), ".cshrc", "root/.cshrc")
	t.hardlinks(0o644, []byte("# .profile - Bourne Shell startup script for login shells\n\nPATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin:~/bin\nexport PATH\nHOME=/root\nexport HOME\nTERM=${TERM:-xterm}\nexport TERM\nPAGER=less\nexport PAGER\n"), ".profile", "root/.profile")
	// /sys points into the source tree that src.txz installs.
	t.symlink("sys", "usr/src/sys")

	// /bin
	for _, b := range []string{"cat", "chflags", "chio", "chmod", "cp", "date", "dd", "df", "domainname", "echo", "ed", "expr", "getfacl", "hostname", "kenv", "kill", "ls", "mkdir", "mv", "pax", "ps", "pwait", "pwd", "realpath", "rm", "rmdir", "setfacl", "sh", "sleep", "stty", "sync", "timeout", "uuidgen"} {
		r.bin(t, "bin/"+b, 4000+len(b)*600)
	}
	elf := func(p string, size int) []byte { return elfStub(r.machine+"/"+p, r.elfMachine(), false, size) }
	t.hardlinks(0o555, elf("bin/test", 9000), "bin/[", "bin/test")
	t.hardlinks(0o555, elf("bin/csh", 40000), "bin/csh", "bin/tcsh")
	t.hardlinks(0o555, elf("bin/ln", 7000), "bin/link", "bin/ln")
	t.hardlinks(0o555, elf("bin/pkill", 12000), "bin/pgrep", "bin/pkill")
	t.text("bin/freebsd-version", 0o555, freebsdVersionScript(r.userland))

	// /boot: the loader; the kernel itself is in kernel.txz.
	r.bin(t, "boot/loader.efi", 30000)
	r.bin(t, "boot/loader_lua", 25000)
	t.text("boot/device.hints", 0o644, "hint.fdc.0.at=\"isa\"\nhint.fdc.0.port=\"0x3F0\"\nhint.fdc.0.irq=\"6\"\nhint.atkbdc.0.at=\"isa\"\nhint.atkbdc.0.port=\"0x060\"\nhint.uart.0.at=\"isa\"\nhint.uart.0.port=\"0x3F8\"\nhint.uart.0.flags=\"0x10\"\nhint.uart.0.irq=\"4\"\n")
	t.text("boot/defaults/loader.conf", 0o444, "# This is loader.conf - a file full of useful variables that you can\n# set to change the default startup behavior of your system. You should\n# not edit this file! Put any overrides into one of the\n# loader_conf_files instead and you will be able to update these\n# defaults later without spamming your local configuration information.\n\nkernel=\"kernel\"\t\t# /boot sub-directory containing kernel and modules\nbootfile=\"kernel\"\t# Kernel name (possibly absolute path)\nkernel_options=\"\"\t# Flags to be passed to the kernel\nloader_conf_files=\"/boot/device.hints /boot/loader.conf /boot/loader.conf.local\"\nverbose_loading=\"NO\"\t# Set to YES for verbose loader output\n")
	t.text("boot/lua/loader.lua", 0o444, "-- Main loader script.\nlocal config = require(\"config\")\nlocal core = require(\"core\")\n\nconfig.load()\nif core.isSingleUserBoot() then\n\tcore.setSingleUser(true)\nend\nrequire(\"menu\").run()\n")
	t.dir("boot/firmware", 0o755)
	t.dir("boot/modules", 0o755)

	// /dev is a devfs mount point; a release ships it empty.
	t.dir("dev", 0o555)

	// /etc. rc.conf is deliberately absent: the installer (or the jail
	// manager) writes one.
	t.text("etc/hosts", 0o644, etcHosts)
	t.text("etc/freebsd-update.conf", 0o644, freebsdUpdateConf)
	t.text("etc/passwd", 0o644, etcPasswd())
	t.text("etc/master.passwd", 0o600, etcMasterPasswd())
	t.file("etc/pwd.db", 0o644, newFiller(seedOf(r.name+"pwd.db")).bytes(16384))
	t.file("etc/spwd.db", 0o600, newFiller(seedOf(r.name+"spwd.db")).bytes(16384))
	t.text("etc/group", 0o644, etcGroup)
	t.text("etc/shells", 0o644, etcShells)
	t.text("etc/login.conf", 0o644, etcLoginConf)
	t.file("etc/login.conf.db", 0o644, newFiller(seedOf(r.name+"login.conf.db")).bytes(4096))
	t.text("etc/motd.template", 0o644, motdTemplate(r))
	t.text("etc/rc", 0o644, rcScript)
	t.text("etc/rc.subr", 0o644, "# rc.subr: functions used by the rc.d scripts.\n\nload_rc_config()\n{\n\t. /etc/defaults/rc.conf\n\tfor _f in ${rc_conf_files}; do\n\t\t[ -r \"$_f\" ] && . \"$_f\"\n\tdone\n}\n")
	t.text("etc/rc.shutdown", 0o644, "#!/bin/sh\n# Run the rc.d scripts with KEYWORD shutdown, in reverse order.\nexit 0\n")
	for _, s := range []string{"cron", "devfs", "hostname", "jail", "netif", "routing", "sshd", "syslogd", "zfs"} {
		t.text("etc/rc.d/"+s, 0o555, rcDScript(s))
	}
	t.text("etc/defaults/rc.conf", 0o444, etcDefaultsRcConf)
	t.text("etc/defaults/periodic.conf", 0o444, "#!/bin/sh\n# Defaults for periodic(8).\nperiodic_conf_files=\"/etc/periodic.conf /etc/periodic.conf.local\"\ndaily_output=\"root\"\nweekly_output=\"root\"\nmonthly_output=\"root\"\n")
	t.text("etc/defaults/devfs.rules", 0o444, "[devfsrules_hide_all=1]\nadd hide\n\n[devfsrules_unhide_basic=2]\nadd path null unhide\nadd path zero unhide\nadd path crypto unhide\nadd path random unhide\nadd path urandom unhide\n\n[devfsrules_jail=4]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_basic\nadd path zfs unhide\n")
	t.text("etc/devfs.conf", 0o644, "# Extra devfs(8) settings applied at boot.\n")
	t.text("etc/sysctl.conf", 0o644, "# Kernel state set at boot; see sysctl.conf(5).\n")
	t.text("etc/syslog.conf", 0o644, "*.err;kern.warning;auth.notice;mail.crit\t\t/dev/console\n*.notice;authpriv.none;kern.debug;lpr.info;mail.crit;news.err\t/var/log/messages\nsecurity.*\t\t\t\t\t/var/log/security\nauth.info;authpriv.info\t\t\t\t/var/log/auth.log\ncron.*\t\t\t\t\t\t/var/log/cron\n")
	t.text("etc/newsyslog.conf", 0o644, "# logfilename\t\t[owner:group]\tmode count size when  flags [/pid_file] [sig_num]\n/var/log/messages\t\t\t644  5\t   1000 @0101T JC\n/var/log/cron\t\t\t\t600  3\t   1000 *     JC\n")
	t.text("etc/crontab", 0o644, "SHELL=/bin/sh\nPATH=/etc:/bin:/sbin:/usr/bin:/usr/sbin\n#minute\thour\tmday\tmonth\twday\twho\tcommand\n*/5\t*\t*\t*\t*\troot\t/usr/libexec/atrun\n1\t3\t*\t*\t*\troot\tperiodic daily\n")
	t.text("etc/ttys", 0o644, "console\tnone\t\t\t\tunknown\toff secure\nttyv0\t\"/usr/libexec/getty Pc\"\t\txterm\ton  secure\n")
	t.text("etc/services", 0o644, "ftp\t\t 21/tcp\nssh\t\t 22/tcp\t   #Secure Shell Login\ntelnet\t\t 23/tcp\nsmtp\t\t 25/tcp\t   mail\t\t#Simple Mail Transfer\ndomain\t\t 53/udp\t   #Domain Name Server\nhttp\t\t 80/tcp\t   www www-http\t#World Wide Web HTTP\nntp\t\t123/udp\t   #Network Time Protocol\nhttps\t\t443/tcp\n")
	t.text("etc/protocols", 0o644, "ip\t0\tIP\t\t# internet protocol, pseudo protocol number\nicmp\t1\tICMP\t\t# internet control message protocol\ntcp\t6\tTCP\t\t# transmission control protocol\nudp\t17\tUDP\t\t# user datagram protocol\nipv6-icmp\t58\tIPv6-ICMP\t# ICMP for IPv6\n")
	t.text("etc/nsswitch.conf", 0o644, "group: compat\ngroup_compat: nis\nhosts: files dns\nnetworks: files\npasswd: compat\npasswd_compat: nis\nservices: compat\nservices_compat: nis\n")
	t.text("etc/ssh/sshd_config", 0o644, "#Port 22\n#PermitRootLogin no\n#PasswordAuthentication no\nSubsystem\tsftp\t/usr/libexec/sftp-server\n")
	t.text("etc/ssh/ssh_config", 0o644, "# Host *\n#   ForwardAgent no\n")
	t.text("etc/pkg/FreeBSD.conf", 0o644, pkgConf(r.major))
	t.text("etc/mtree/BSD.root.dist", 0o444, "/set type=dir uname=root gname=wheel mode=0755\n.\n    bin\n    ..\n    boot\n    ..\n    dev         mode=0555\n    ..\n    etc\n    ..\n    tmp         mode=01777\n    ..\n..\n")
	// Where the real files live is decided at boot.
	t.symlink("etc/os-release", "../var/run/os-release")
	t.symlink("etc/termcap", "/usr/share/misc/termcap")

	// /lib: the libraries /bin and /sbin need.
	r.lib(t, "lib/libc.so.7", 90000).schg()
	r.lib(t, "lib/libthr.so.3", 40000).schg()
	r.lib(t, "lib/libcrypt.so.5", 12000).schg()
	for _, l := range []string{"libm.so.5", "libutil.so.9", "libz.so.6", "libxo.so.0", "libedit.so.8", "libncursesw.so.9", "libkvm.so.7", "libjail.so.1", "libzfs.so.4", "libnvpair.so.2", "libgeom.so.5"} {
		r.lib(t, "lib/"+l, 8000+len(l)*500)
	}
	r.lib(t, "lib/casper/libcap_dns.so.2", 8000)
	r.lib(t, "lib/geom/geom_part.so", 8000)

	// /libexec
	r.bin(t, "libexec/ld-elf.so.1", 30000).schg()

	for _, d := range []string{"media", "mnt", "net"} {
		t.dir(d, 0o755)
	}
	t.dir("proc", 0o555)

	// /rescue is one static binary under many names.
	var rescue []string
	for _, n := range []string{"rescue", "cat", "chflags", "cp", "fsck", "ifconfig", "ls", "mount", "mv", "ping", "reboot", "rm", "route", "sh", "sysctl", "tar", "vi", "zfs", "zpool"} {
		rescue = append(rescue, "rescue/"+n)
	}
	t.hardlinks(0o555, elf("rescue/rescue", 100000), rescue...)

	t.dir("root", 0o750)

	// /sbin
	for _, b := range []string{"devfs", "dmesg", "fsck", "ifconfig", "ipfw", "kldload", "kldstat", "ldconfig", "mdconfig", "mount", "mount_nullfs", "mount_unionfs", "newfs", "pfctl", "route", "sysctl", "umount", "zfs", "zpool"} {
		r.bin(t, "sbin/"+b, 5000+len(b)*500)
	}
	r.bin(t, "sbin/init", 30000).schg()
	t.file("sbin/ping", 0o4555, elf("sbin/ping", 25000))
	t.hardlinks(0o555, elf("sbin/reboot", 9000), "sbin/fastboot", "sbin/fasthalt", "sbin/halt", "sbin/reboot")
	t.hardlinks(0o555, elf("sbin/md5", 20000), "sbin/md5", "sbin/sha1", "sbin/sha256", "sbin/sha512")
	t.dir("tmp", 0o1777)

	// /usr/bin. su and friends are setuid root; wall and write are setgid
	// tty; they carry schg in a release as well.
	t.file("usr/bin/su", 0o4555, elf("usr/bin/su", 16000)).schg()
	t.file("usr/bin/login", 0o4555, elf("usr/bin/login", 22000)).schg()
	t.file("usr/bin/crontab", 0o4555, elf("usr/bin/crontab", 20000))
	t.hardlinks(0o4555, elf("usr/bin/passwd", 14000), "usr/bin/passwd", "usr/bin/yppasswd")
	for _, n := range t.hardlinks(0o4555, elf("usr/bin/chpass", 26000), "usr/bin/chfn", "usr/bin/chpass", "usr/bin/chsh", "usr/bin/ypchfn", "usr/bin/ypchpass", "usr/bin/ypchsh") {
		n.schg()
	}
	t.file("usr/bin/wall", 0o2555, elf("usr/bin/wall", 12000)).setGID(gidTTY)
	t.file("usr/bin/write", 0o2555, elf("usr/bin/write", 12000)).setGID(gidTTY)
	for _, b := range []string{"awk", "basename", "bsdtar", "cmp", "cut", "diff", "dirname", "du", "env", "fetch", "file", "find", "fold", "head", "id", "install", "jot", "lockf", "logger", "make", "mktemp", "nc", "nohup", "printf", "sed", "sort", "ssh", "stat", "tail", "tee", "touch", "tr", "true", "false", "uname", "uniq", "wc", "what", "which", "xargs", "yes"} {
		r.bin(t, "usr/bin/"+b, 4000+len(b)*800)
	}
	t.hardlinks(0o555, elf("usr/bin/grep", 30000), "usr/bin/egrep", "usr/bin/fgrep", "usr/bin/grep", "usr/bin/rgrep")
	t.hardlinks(0o555, elf("usr/bin/less", 40000), "usr/bin/less", "usr/bin/more")
	t.hardlinks(0o555, elf("usr/bin/vi", 50000), "usr/bin/ex", "usr/bin/nex", "usr/bin/nvi", "usr/bin/vi", "usr/bin/view")
	t.hardlinks(0o555, elf("usr/bin/xz", 30000), "usr/bin/lzma", "usr/bin/unxz", "usr/bin/unlzma", "usr/bin/xz", "usr/bin/xzcat")
	t.symlink("usr/bin/tar", "bsdtar")

	// /usr/include
	t.text("usr/include/osreldate.h", 0o444, fmt.Sprintf("/*\n * This file is generated at build time.\n */\n#ifdef _KERNEL\n#error \"<osreldate.h> cannot be used in the kernel, use <sys/param.h>\"\n#else\n#undef __FreeBSD_version\n#define __FreeBSD_version %d\n#endif\n", osreldate(r.name)))
	t.text("usr/include/sys/param.h", 0o444, fmt.Sprintf("#ifndef _SYS_PARAM_H_\n#define _SYS_PARAM_H_\n\n#include <sys/_null.h>\n\n#define\tBSD\t199506\t\t/* System version (year & month). */\n#define BSD4_3\t1\n#define BSD4_4\t1\n\n#undef __FreeBSD_version\n#define __FreeBSD_version %d\n\n#define\tMAXHOSTNAMELEN\t256\n#define\tMAXPATHLEN\tPATH_MAX\n\n#endif\t/* _SYS_PARAM_H_ */\n", osreldate(r.name)))
	for _, h := range []string{"stdio.h", "stdlib.h", "string.h", "unistd.h", "jail.h", "libzfs.h", "sys/types.h", "sys/jail.h", "sys/mount.h", "netinet/in.h"} {
		t.file("usr/include/"+h, 0o444, cSource("include/"+h, 60))
	}
	t.dir("usr/include/machine", 0o755)
	t.file("usr/include/machine/param.h", 0o444, cSource("include/machine/param.h", 30))

	// /usr/lib: development links to the libraries in /lib, plus its own.
	t.text("usr/lib/libc.so", 0o444, libcLDScript)
	t.file("usr/lib/libc.a", 0o444, newFiller(seedOf(r.machine+"libc.a")).bytes(50000))
	for _, l := range []string{"libm.so.5", "libutil.so.9", "libz.so.6", "libxo.so.0", "libjail.so.1", "libzfs.so.4"} {
		base := strings.TrimSuffix(l, l[strings.LastIndex(l, ".so.")+3:])
		t.symlink("usr/lib/"+base, "../../lib/"+l)
	}
	r.lib(t, "usr/lib/libfetch.so.6", 30000)
	t.symlink("usr/lib/libfetch.so", "libfetch.so.6")
	r.lib(t, "usr/lib/libarchive.so.7", 40000)
	t.symlink("usr/lib/libarchive.so", "libarchive.so.7")
	r.lib(t, "usr/lib/liblzma.so.5", 40000)
	t.symlink("usr/lib/liblzma.so", "liblzma.so.5")
	r.lib(t, "usr/lib/libssl.so.30", 60000)
	t.symlink("usr/lib/libssl.so", "libssl.so.30")
	t.dir("usr/lib/debug", 0o755)
	t.dir("usr/lib32", 0o755) // filled by lib32.txz

	// /usr/libexec. ld-elf.so.1 here is an absolute symlink, as in a release.
	t.symlink("usr/libexec/ld-elf.so.1", "/libexec/ld-elf.so.1")
	for _, b := range []string{"atrun", "getty", "sftp-server", "save-entropy", "phttpget"} {
		r.bin(t, "usr/libexec/"+b, 10000+len(b)*700)
	}

	// /usr/sbin
	t.text("usr/sbin/freebsd-update", 0o555, freebsdUpdatePlaceholder)
	for _, s := range []string{"etcupdate", "service", "sysrc", "bsdinstall", "adduser"} {
		t.text("usr/sbin/"+s, 0o555, stubScript(s))
	}
	for _, b := range []string{"chroot", "cron", "daemon", "jail", "jexec", "jls", "mailwrapper", "newsyslog", "pkg", "pw", "pwd_mkdb", "rctl", "rtsold", "sshd", "syslogd", "zdb"} {
		r.bin(t, "usr/sbin/"+b, 5000+len(b)*600)
	}
	t.file("usr/sbin/traceroute", 0o4555, elf("usr/sbin/traceroute", 18000))
	// newaliases is mailwrapper(8) under another name.
	t.symlink("usr/bin/newaliases", "/usr/sbin/mailwrapper")
	t.file("usr/sbin/nologin", 0o555, elf("usr/sbin/nologin", 5000))

	// /usr/share
	utc := tzifUTC()
	t.hardlinks(0o444, utc, "usr/share/zoneinfo/Etc/UTC", "usr/share/zoneinfo/UTC", "usr/share/zoneinfo/Universal")
	t.text("usr/share/zoneinfo/zone.tab", 0o444, "# tzdb timezone descriptions\n#country-\n#code\tcoordinates\tTZ\t\t\tcomments\nGB\t+513030-0000731\tEurope/London\nUS\t+404251-0740023\tAmerica/New_York\n")
	t.text("usr/share/misc/termcap", 0o444, "# Terminal capability database.\nxterm|xterm-color|X11 terminal emulator:\\\n\t:am:bs:km:mi:ms:xn:co#80:it#8:li#24:\n")
	t.text("usr/share/keys/pkg/trusted/pkg.freebsd.org.2013102301", 0o444, pkgFingerprint)
	t.dir("usr/share/keys/pkg/revoked", 0o755)
	t.text("usr/share/skel/dot.cshrc", 0o644, "# .cshrc - csh resource script\nset path = (/sbin /bin /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin $HOME/bin)\n")
	t.text("usr/share/skel/dot.profile", 0o644, "# .profile - Bourne Shell startup script for login shells\nexport PATH HOME TERM\n")
	man := map[string][3]string{
		"ls":              {"1", "ls", "list directory contents"},
		"sh":              {"1", "sh", "command interpreter (shell)"},
		"freebsd-version": {"1", "freebsd-version", "print the version and patch level of the installed system"},
		"jail":            {"8", "jail", "manage system jails"},
		"freebsd-update":  {"8", "freebsd-update", "fetch and install binary updates to FreeBSD"},
		"rc.conf":         {"5", "rc.conf", "system configuration information"},
	}
	for name, m := range man {
		t.file("usr/share/man/man"+m[0]+"/"+name+"."+m[0]+".gz", 0o444, manPage(m[1], m[0], m[2]))
	}
	t.text("usr/share/doc/README", 0o444, "This directory contains documentation installed with the base system.\n")
	t.dir("usr/share/locale/C.UTF-8", 0o755)
	t.file("usr/share/locale/C.UTF-8/LC_CTYPE", 0o444, newFiller(seedOf("LC_CTYPE")).bytes(30000))

	// /usr/libdata
	t.text("usr/libdata/pkgconfig/zlib.pc", 0o444, "prefix=/usr\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\n\nName: zlib\nDescription: zlib compression library\nVersion: 1.3.1\nLibs: -L${libdir} -lz\nCflags: -I${includedir}\n")
	t.dir("usr/libdata/ldscripts", 0o755)

	// Mount points and empty trees a release ships.
	t.dir("usr/src", 0o755) // filled by src.txz
	t.dir("usr/obj", 0o755)
	t.dir("usr/tests", 0o755)

	// /var
	for _, d := range []string{"var/account", "var/at", "var/audit", "var/backups", "var/cache", "var/db", "var/games", "var/heimdal", "var/log", "var/msgs", "var/preserve", "var/run", "var/rwho", "var/spool", "var/unbound", "var/yp"} {
		t.dir(d, 0o755)
	}
	t.dir("var/crash", 0o750)
	t.dir("var/db/freebsd-update", 0o700)
	t.dir("var/db/etcupdate", 0o755)
	t.dir("var/empty", 0o555).schg()
	t.dir("var/mail", 0o775).setGID(gidMail)
	t.dir("var/tmp", 0o1777)
	t.dir("var/tmp/vi.recover", 0o1777)
	return t
}

// lib32Tree is lib32.txz: 32-bit libraries and their runtime linker.
func lib32Tree(r release) *tree {
	t := newTree("./")
	lib := func(p string, size int) *node {
		return t.file(p, 0o444, elfStub(r.machine+"/lib32/"+p, r.elf32Machine(), true, size))
	}
	t.file("libexec/ld-elf32.so.1", 0o555, elfStub(r.machine+"/lib32/ld-elf32", r.elf32Machine(), false, 25000)).schg()
	t.file("usr/bin/ldd32", 0o555, elfStub(r.machine+"/lib32/ldd32", r.elf32Machine(), false, 8000))
	t.symlink("usr/libexec/ld-elf32.so.1", "/libexec/ld-elf32.so.1")
	lib("usr/lib32/libc.so.7", 60000).schg()
	lib("usr/lib32/libthr.so.3", 30000).schg()
	t.text("usr/lib32/libc.so", 0o444, strings.ReplaceAll(libcLDScript, "/lib/libc.so.7", "/usr/lib32/libc.so.7"))
	for _, l := range []string{"libm.so.5", "libutil.so.9", "libz.so.6", "libcrypt.so.5", "libelf.so.2", "libmd.so.6"} {
		lib("usr/lib32/"+l, 9000+len(l)*500)
		t.symlink("usr/lib32/"+l[:strings.Index(l, ".so.")+3], l)
	}
	t.file("usr/lib32/crt1.o", 0o444, elfStub(r.machine+"/lib32/crt1.o", r.elf32Machine(), false, 2000))
	t.file("usr/lib32/libc.a", 0o444, newFiller(seedOf(r.machine+"lib32/libc.a")).bytes(30000))
	t.dir("usr/lib32/dtrace", 0o755)
	t.dir("usr/lib32/i18n", 0o755)
	return t
}

// srcTree is src.txz: usr/src, archived from / with member names starting
// at usr/src (no "./", no usr/ entry).
func srcTree(r release) *tree {
	t := newTree("", "usr")
	t.text("usr/src/COPYRIGHT", 0o644, copyright) // freebsd-update looks for it
	t.text("usr/src/README.md", 0o644, "FreeBSD Source:\n---------------\nThis is the top level of the FreeBSD source directory.\n")
	t.text("usr/src/UPDATING", 0o644, "Updating Information for users of FreeBSD-CURRENT.\n\nThis file is maintained and copyrighted by M. Warner Losh.\n")
	t.text("usr/src/Makefile", 0o644, "#\n# The common user-driven targets are (for a complete list, see build(7)):\n#\n# buildworld   - Rebuild *everything*, including glue to help do\n#                upgrades.\n# installworld - Install everything built by \"buildworld\".\n#\n\n.include \"${.CURDIR}/Makefile.inc1\"\n")
	t.text("usr/src/Makefile.inc1", 0o644, "# Make command line options used by the top-level Makefile.\nTARGET?=\t"+r.machine+"\nTARGET_ARCH?=\t"+machineArch[r.machine]+"\n")
	t.text("usr/src/sys/conf/newvers.sh", 0o644, newversSh(r.name))
	t.text("usr/src/sys/"+r.machine+"/conf/GENERIC", 0o644, "#\n# GENERIC -- Generic kernel configuration file for FreeBSD/"+r.machine+"\n#\ncpu\t\tHAMMER\nident\t\tGENERIC\n\noptions \tSCHED_ULE\noptions \tVIMAGE\noptions \tRACCT\noptions \tRCTL\n")
	t.text("usr/src/bin/freebsd-version/Makefile", 0o644, "SCRIPTS = freebsd-version\nMAN = freebsd-version.1\nCLEANFILES = freebsd-version freebsd-version.sh\nNEWVERS = ${SRCTOP}/sys/conf/newvers.sh\n\n.include <bsd.prog.mk>\n")
	t.text("usr/src/bin/freebsd-version/freebsd-version.sh.in", 0o644, freebsdVersionScript("@@REVISION@@-@@BRANCH@@"))
	t.text("usr/src/usr.sbin/freebsd-update/freebsd-update.conf", 0o644, freebsdUpdateConf)
	t.text("usr/src/usr.sbin/freebsd-update/Makefile", 0o644, "CONFS=\tfreebsd-update.conf\nSCRIPTS=freebsd-update.sh\nMAN=\tfreebsd-update.conf.5 freebsd-update.8\n\n.include <bsd.prog.mk>\n")
	t.text("usr/src/etc/Makefile", 0o644, "# Install the files of /etc that are not installed by their own\n# directories' Makefiles.\n\nFILESGROUPS=\tFILES\n\n.include <bsd.prog.mk>\n")
	// The sources of /etc that etcupdate builds a release's stock tree
	// from: the same files the release's base.txz carries, so they differ
	// from one release to the next as the releases do.
	for p, body := range map[string]string{
		"motd.template":    motdTemplate(r),
		"hosts":            etcHosts,
		"rc":               rcScript,
		"rc.shutdown":      "#!/bin/sh\n# Run the rc.d scripts with KEYWORD shutdown, in reverse order.\nexit 0\n",
		"defaults/rc.conf": etcDefaultsRcConf,
		"group":            etcGroup,
	} {
		t.text("usr/src/etc/"+p, 0o644, body)
	}
	t.text("usr/src/etc/mtree/BSD.root.dist", 0o644, "/set type=dir uname=root gname=wheel mode=0755\n.\n    bin\n    ..\n..\n")
	t.text("usr/src/release/scripts/make-manifest.sh", 0o644, "#!/bin/sh\n# make-manifest.sh: create checksums and package descriptions for the\n# installer. Usage: make-manifest.sh foo1.txz foo2.txz ...\n")
	for _, f := range []string{"sys/kern/kern_jail.c", "sys/kern/vfs_mount.c", "sys/kern/kern_racct.c", "sys/net/if_epair.c", "sys/net/if_bridge.c", "sys/fs/nullfs/null_vfsops.c", "lib/libc/gen/getcwd.c", "lib/libc/stdlib/malloc.c", "lib/libjail/jail.c", "usr.sbin/jail/jail.c", "usr.sbin/jail/config.c", "usr.sbin/jls/jls.c", "usr.sbin/jexec/jexec.c", "bin/sh/main.c", "bin/ls/ls.c", "sbin/mount/mount.c"} {
		t.file("usr/src/"+f, 0o644, cSource(f, 400))
	}
	return t
}

// kernelTree is kernel.txz: the GENERIC kernel and a few modules.
func kernelTree(r release) *tree {
	t := newTree("./")
	kernel := elfStub(r.machine+"/kernel", r.elfMachine(), false, 150000)
	// freebsd-version -k reads this string with what(1).
	kernel = append(kernel, []byte("\x00@(#)FreeBSD "+r.userland+" GENERIC\x00")...)
	t.file("boot/kernel/kernel", 0o555, kernel)
	for _, m := range []string{"zfs.ko", "if_epair.ko", "if_bridge.ko", "nullfs.ko", "pf.ko", "linux64.ko"} {
		t.file("boot/kernel/"+m, 0o555, elfStub(r.machine+"/kernel/"+m, r.elfMachine(), true, 20000))
	}
	t.file("boot/kernel/linker.hints", 0o555, newFiller(seedOf(r.machine+"linker.hints")).bytes(8000))
	return t
}

const copyright = `# $FreeBSD$
#	@(#)COPYRIGHT	8.2 (Berkeley) 3/21/94

The compilation of software known as FreeBSD is distributed under the
following terms:

Copyright (c) 1992-2025 The FreeBSD Project.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions
are met:
1. Redistributions of source code must retain the above copyright
   notice, this list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright
   notice, this list of conditions and the following disclaimer in the
   documentation and/or other materials provided with the distribution.
`

// motdTemplate is /etc/motd.template of release r.
func motdTemplate(r release) string {
	return "FreeBSD " + r.name + "\n\nWelcome to FreeBSD!\n\nRelease Notes, Errata: https://www.FreeBSD.org/releases/\nSecurity Advisories:   https://www.FreeBSD.org/security/\nFreeBSD Handbook:      https://www.FreeBSD.org/handbook/\n"
}
