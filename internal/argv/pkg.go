package argv

import "strconv"

// JailPkg is the jail's own pkg(8), run inside the jail.
const JailPkg = "/usr/local/sbin/pkg"

// PkgInstallArgs installs packages quietly and without questions. A
// plugin runs it as `pkg -j JID` with the host's pkg(8), which attaches
// to the jail before it reads any configuration, so the jail's
// repository files decide where the packages come from.
func PkgInstallArgs(pkgs []string) []string {
	return append([]string{"install", "-q", "-y"}, pkgs...)
}

// PkgDeleteAllArgs removes every package, as a plugin update does
// (pkg -j JID delete -a -f -y).
func PkgDeleteAllArgs() []string { return []string{"delete", "-a", "-f", "-y"} }

// JailPkgInstall is the command line, run inside a jail, with which the
// jail's own pkg installs one package (create -p).
func JailPkgInstall(pkg string) []string {
	return append([]string{JailPkg}, PkgInstallArgs([]string{pkg})...)
}

// PkgJail is `pkg -j JID ARGS...`: the host's pkg(8) working on a jail.
func PkgJail(jid int, args ...string) Cmd {
	return cmd("pkg", append([]string{"-j", strconv.Itoa(jid)}, args...)...)
}

// PkgStaticJail is `pkg-static -j JID ARGS...`: the host's statically
// linked pkg(8) working on a jail, which needs no pkg inside it.
func PkgStaticJail(jid int, args ...string) Cmd {
	return cmd("pkg-static", append([]string{"-j", strconv.Itoa(jid)}, args...)...)
}
