package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/fixture"
	"github.com/jcage/jcage/internal/testworld/goldenfile"
)

func TestJailConfGolden(t *testing.T) {
	cases := []struct {
		golden  string
		name    string
		release string
		props   map[string]any
		ip4     string
		ruleset string
	}{
		{golden: "default", name: "plain", props: nil},
		{golden: "nonvnet_aliases_ipv6", name: "web",
			props: map[string]any{
				"ip4_addr": "em0|10.0.0.5/24,em0|10.0.0.6/24, em1|192.168.1.5",
				"ip6_addr": "em0|2001:db8::5/64",
			}},
		{golden: "vnet_two_nics", name: "router",
			props: map[string]any{
				"vnet": 1, "interfaces": "vnet0:bridge0,vnet1:bridge1",
				"ip4_addr": "vnet0|10.0.0.5/24,vnet1|10.1.0.5/24", "defaultrouter": "10.0.0.1",
			}},
		{golden: "vnet_interfaces", name: "fw",
			props: map[string]any{"vnet": 1, "vnet_interfaces": "em1 em2", "ip4_addr": "vnet0|10.0.0.9/24"}},
		{golden: "dhcp", name: "dyn",
			props: map[string]any{"vnet": 1, "bpf": 1, "dhcp": 1, "ip4_addr": "vnet0|DHCP"}},
		{golden: "nat_pf", name: "natpf", ip4: "em0|172.16.0.1",
			props: map[string]any{"nat": 1, "nat_backend": "pf", "nat_forwards": "tcp(80:8080)"}},
		{golden: "nat_ipfw_vnet", name: "natfw",
			props: map[string]any{"nat": 1, "vnet": 1, "ip4_addr": "vnet0|172.16.0.2/30", "defaultrouter": "172.16.0.1"}},
		{golden: "basejail", name: "base1",
			props: map[string]any{"basejail": 1, "ip4_addr": "em0|10.0.0.20"}},
		{golden: "jail_zfs", name: "zfsj",
			props: map[string]any{"jail_zfs": 1, "jail_zfs_dataset": "iocage/jails/zfsj/data", "jail_zfs_mountpoint": "/data"}},
		{golden: "rctl_cpuset", name: "limited",
			props: map[string]any{"memoryuse": "deny=1g", "maxproc": "deny=200", "cpuset": "0-1", "allow_raw_sockets": 1}},
		{golden: "host12", name: "old", release: "12.4-RELEASE-p3",
			props: map[string]any{"allow_mlock": 1, "allow_nfsd": 1, "allow_vmm": 1, "allow_mount_tmpfs": 1}},
		{golden: "host14", name: "new", release: "14.3-RELEASE",
			props: map[string]any{"allow_mlock": 1, "allow_nfsd": 1, "allow_vmm": 1, "allow_mount_tmpfs": 1}},
		{golden: "host11", name: "ancient", release: "11.4-RELEASE",
			props: map[string]any{"allow_mlock": 1, "allow_mount_fusefs": 1}},
		{golden: "host15", name: "future", release: "15.0-RELEASE"},
		{golden: "dotted_name", name: "www.example.org", ruleset: "1003",
			props: map[string]any{"ip4_addr": "lo1|127.0.1.5", "ip_hostname": 1, "host_domainname": "example.org"}},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			release := tc.release
			if release == "" {
				release = "14.3-RELEASE"
			}
			ruleset := tc.ruleset
			if ruleset == "" {
				ruleset = "1000"
			}
			c := JailConf(ConfInput{
				Name: tc.name, Dir: "/tank/iocage/jails/" + tc.name, IOCRoot: "/tank/iocage",
				Props: fixture.Effective(t, tc.name, tc.props), Release: release,
				IP4: tc.ip4, DevfsRuleset: ruleset,
			})
			got := c.Render()
			path := filepath.Join("testdata", "jailconf", tc.golden+".conf")
			if goldenfile.Update() {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/plan -update)", err)
			}
			if got != string(want) {
				t.Fatalf("%s differs:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

// The exact text of iocage's rendering for a default jail on a 14.x host,
// written out by hand from JailRuntimeConfiguration: this pins the format
// independently of the golden files.
func TestJailConfIocageText(t *testing.T) {
	c := JailConf(ConfInput{
		Name: "web", Dir: "/tank/iocage/jails/web", IOCRoot: "/tank/iocage",
		Props:   fixture.Effective(t, "web", map[string]any{"ip4_addr": "em0|10.0.0.5/24"}),
		Release: "14.3-RELEASE", DevfsRuleset: "1000",
	})
	want := `"ioc-web" {
	ip4.addr += "em0|10.0.0.5/24";
	ip4.saddrsel = "1";
	ip4 = "new";
	ip6.saddrsel = "1";
	ip6 = "new";
	mount.fdescfs = "1";
	allow.set_hostname = "1";
	mount.devfs = "1";
	sysvmsg = "new";
	sysvsem = "new";
	sysvshm = "new";
	exec.created = "/usr/bin/true";
	host.domainname = "";
	host.hostname = "web";
	path = "/tank/iocage/jails/web/root";
	securelevel = "2";
	host.hostuuid = "web";
	devfs_ruleset = "1000";
	enforce_statfs = "2";
	children.max = "0";
	exec.clean = "1";
	exec.timeout = "60";
	stop.timeout = "30";
	mount.fstab = "/tank/iocage/jails/web/fstab";
	allow.dying;
	exec.consolelog = "/tank/iocage/log/ioc-web-console.log";
	persist;
}
`
	if got := c.Render(); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := strings.Join(c.Net, " "); got != "ip4.addr=em0|10.0.0.5/24 ip4.saddrsel=1 ip4=new ip6.saddrsel=1 ip6=new" {
		t.Fatalf("net options %q", got)
	}
}

func TestJailConfGates(t *testing.T) {
	props := fixture.Effective(t, "g", map[string]any{"allow_nfsd": 1, "allow_mlock": 1, "allow_mount_tmpfs": 1})
	cases := []struct {
		release string
		has     []string
		lacks   []string
	}{
		{"9.3-RELEASE", nil, []string{"mount.fdescfs", "allow.mount.tmpfs", "sysvmsg", "allow.mlock", "exec.created", "allow.nfsd"}},
		{"10.3-RELEASE", []string{"mount.fdescfs", "allow.mount.tmpfs"}, []string{"sysvmsg", "allow.mlock"}},
		{"11.4-RELEASE", []string{"sysvmsg"}, []string{"allow.mlock", "exec.created"}},
		{"12.0-RELEASE", []string{"allow.mlock", "exec.created"}, []string{"allow.nfsd"}},
		{"13.2-RELEASE", nil, []string{"allow.nfsd"}},
		{"13.3-RELEASE", []string{"allow.nfsd", "allow.dying"}, nil},
		{"14.10-RELEASE", []string{"allow.nfsd", "allow.dying"}, nil},
		{"15.0-CURRENT", []string{"allow.nfsd"}, []string{"allow.dying"}},
		{"CURRENT", []string{"allow.nfsd", "allow.mlock", "allow.dying"}, nil},
	}
	for _, tc := range cases {
		c := JailConf(ConfInput{Name: "g", Dir: "/j/g", IOCRoot: "/j", Props: props, Release: tc.release})
		keys := map[string]bool{}
		for _, p := range c.Params {
			keys[p.Key] = true
		}
		for _, k := range tc.has {
			if !keys[k] {
				t.Errorf("%s: %s missing", tc.release, k)
			}
		}
		for _, k := range tc.lacks {
			if keys[k] {
				t.Errorf("%s: %s present", tc.release, k)
			}
		}
	}
}

func TestJailConfQuotingAndStrip(t *testing.T) {
	c := &Conf{Name: "ioc-x", Params: []ConfParam{
		{Key: "host.hostname", Value: `a"b\c`},
		{Key: "exec.clean", Value: "1"},
		{Key: "persist", Bare: true},
	}}
	text := c.Render()
	if want := "\"ioc-x\" {\n\thost.hostname = \"a\\\"b\\\\c\";\n\texec.clean = \"1\";\n\tpersist;\n}\n"; text != want {
		t.Fatalf("%q", text)
	}
	if got := StripExec(text); got != "\"ioc-x\" {\n\thost.hostname = \"a\\\"b\\\\c\";\n\tpersist;\n}\n" {
		t.Fatalf("strip: %q", got)
	}
	if got := ConfPath("/var/run", "a.b"); got != "/var/run/jail.ioc-a_b.conf" {
		t.Fatal(got)
	}
}
