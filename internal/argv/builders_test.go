package argv

import (
	"strings"
	"testing"
)

// TestBuilders pins each command line, program name first, exactly as
// the command logs of the system tier record it.
func TestToolBuilders(t *testing.T) {
	cases := []struct {
		got  Cmd
		want string
	}{
		{DfHuman(), "df -h"},
		{NetstatRoutes(), "netstat -nr"},
		{MountShow(), "mount"},
		{MountOpts("nullfs", "ro", "/src dir", "/jail/root/mnt"), "mount -t nullfs -o ro /src dir /jail/root/mnt"},
		{MountDevfs("/r/dev"), "mount -t devfs devfs /r/dev"},
		{UmountPlain("/r/dev"), "umount /r/dev"},
		{Umount("/jail/root/mnt"), "umount -f /jail/root/mnt"},
		{Jexec("ioc-a_b", "/root/post_install.sh"), "jexec ioc-a_b /root/post_install.sh"},
		{Jexec("ioc-a"), "jexec ioc-a"},
		{JexecIfconfigAll("ioc-a"), "jexec ioc-a ifconfig -a"},
		{JexecNetstatRoutes("ioc-a"), "jexec ioc-a netstat -nr"},
		{JexecIfconfigInet("ioc-a", "epair0b"), "jexec ioc-a ifconfig epair0b inet"},
		{JlsAll(), "jls -v --libxo json"},
		{JlsJID("ioc-a"), "jls -j ioc-a jid"},
		{JlsDevfsRuleset("ioc-a"), "jls -j ioc-a devfs_ruleset"},
		{JailModify(7, "allow.mount", "1"), "jail -m jid=7 allow.mount=1"},
		{RctlAddRule("jail:ioc-a:maxproc:deny=100"), "rctl -a jail:ioc-a:maxproc:deny=100"},
		{RctlRemoveFilter("jail:ioc-a:maxproc"), "rctl -r jail:ioc-a:maxproc"},
		{Kldload("vmm"), "kldload -n vmm"},
		{ZpoolComments(), "zpool get -H -o name,value comment"},
		{ZpoolClearComment("tank"), "zpool set comment=- tank"},
		{FreebsdVersionUserland(), "freebsd-version -u"},
		{UnameRelease(), "uname -r"},
		{XzDecompress(), "xz -d -c -T0"},
		{TarExtract("freebsd", "/r", true), "tar -x -p --fflags --numeric-owner -f - -C /r"},
		{TarExtract("freebsd", "/r", false), "tar -x -p --fflags --numeric-owner -f - -C /r"},
		{TarExtract("linux", "/r", true), "tar -x -b 256 -p --numeric-owner --same-owner --warning=no-unknown-keyword -f - -C /r"},
		{TarExtract("linux", "/r", false), "tar -x -b 256 -p --numeric-owner --warning=no-unknown-keyword -f - -C /r"},
		{TarExtractMember("/d/base.txz", "/tmp/t", "usr/sbin/freebsd-update"), "tar -x -f /d/base.txz -C /tmp/t ./usr/sbin/freebsd-update"},
	}
	// Each argument its own element: a path with a space stays one.
	if got := MountOpts("nullfs", "ro", "/src dir", "/j/mnt").Args; len(got) != 6 || got[4] != "/src dir" {
		t.Errorf("Mount args %q", got)
	}
	for _, c := range cases {
		if got := c.got.String(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
		if c.got.Env != nil || c.got.Clean || c.got.Dir != "" || c.got.Stdin != nil || c.got.Stdout != nil {
			t.Errorf("%s: builds more than the command line: %+v", c.want, c.got)
		}
	}
}

func TestPkgArgs(t *testing.T) {
	cases := []struct {
		got  []string
		want string
	}{
		{PkgInstallArgs([]string{"nginx", "ca_root_nss"}), "install -q -y nginx ca_root_nss"},
		{PkgInstallArgs(nil), "install -q -y"},
		{PkgDeleteAllArgs(), "delete -a -f -y"},
		{JailPkgInstall("nginx"), "/usr/local/sbin/pkg install -q -y nginx"},
	}
	for _, c := range cases {
		if got := strings.Join(c.got, " "); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}

// TestBuildersDoNotShare: a caller appending to one command line never
// changes the next one built.
func TestBuildersDoNotShare(t *testing.T) {
	a := PkgDeleteAllArgs()
	a[0] = "x"
	_ = append(PkgInstallArgs([]string{"p"}), "more")
	if got := strings.Join(PkgDeleteAllArgs(), " "); got != "delete -a -f -y" {
		t.Errorf("PkgDeleteAllArgs = %q after a caller's change", got)
	}
	c := Jexec("ioc-a", "ls")
	c.Args[1] = "rm"
	if got := Jexec("ioc-a", "ls").String(); got != "jexec ioc-a ls" {
		t.Errorf("Jexec = %q after a caller's change", got)
	}
}
