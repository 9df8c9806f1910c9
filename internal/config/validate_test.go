package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/jcage/jcage/defaults"
)

// hostCtx is a host with em0, igb0 and bridge0, four CPUs and racct on.
func hostCtx() SetContext {
	nics := map[string]bool{"em0": true, "igb0": true, "bridge0": true}
	return SetContext{
		Name:           "web",
		HostHasNIC:     func(n string) bool { return nics[n] },
		HostMaxCPU:     func() int { return 3 },
		RacctEnabled:   func() bool { return true },
		ActiveNATJails: func() []string { return nil },
	}
}

type accept struct{ key, in, want string }

// Values set accepts, one block per property class, with what is stored.
// The iocage-written edge values ("none", "auto", "off", "-", "0", "1",
// "inherit", DEFAULT|, DHCP, accept_rtadv ...) are among them.
var accepted = []accept{
	// bool
	{"boot", "1", "1"}, {"boot", "0", "0"}, {"boot", "on", "1"}, {"boot", "OFF", "0"},
	{"boot", "yes", "1"}, {"boot", "No", "0"}, {"boot", "true", "1"}, {"boot", "FALSE", "0"},
	{"allow_nfsd", "1", "1"}, {"allow_mount_linsysfs", "on", "1"}, {"ip4_saddrsel", "0", "0"},
	{"template", "yes", "1"}, {"exec_clean", "true", "1"}, {"allow_tun", "0", "0"},
	// enum
	{"ip4", "new", "new"}, {"ip4", "inherit", "inherit"}, {"ip6", "disable", "disable"},
	{"ip4", "NEW", "new"}, {"sysvmsg", "inherit", "inherit"}, {"enforce_statfs", "0", "0"},
	{"enforce_statfs", "2", "2"}, {"rlimits", "off", "off"}, {"rlimits", "on", "on"},
	// uint / int
	{"exec_fib", "0", "0"}, {"exec_fib", "1", "1"}, {"exec_fib", "007", "7"},
	{"children_max", "0", "0"}, {"children_max", "100", "100"}, {"exec_timeout", "60", "60"},
	{"stop_timeout", "30", "30"}, {"securelevel", "-1", "-1"}, {"securelevel", "3", "3"},
	{"securelevel", "2", "2"}, {"priority", "1", "1"}, {"priority", "99", "99"}, {"priority", "10", "10"},
	// ruleset
	{"devfs_ruleset", "4", "4"}, {"devfs_ruleset", "0", "0"}, {"devfs_ruleset", "0010", "10"},
	{"min_dyn_devfs_ruleset", "1000", "1000"},
	// mtu
	{"vnet0_mtu", "auto", "auto"}, {"vnet3_mtu", "9000", "9000"}, {"vnet_default_mtu", "1500", "1500"},
	// ip lists
	{"ip4_addr", "none", "none"}, {"ip4_addr", "em0|10.0.0.5/24", "em0|10.0.0.5/24"},
	{"ip4_addr", "10.0.0.5", "10.0.0.5"}, {"ip4_addr", "10.0.0.5/24", "10.0.0.5/24"},
	{"ip4_addr", "vnet0|172.16.0.2/30", "vnet0|172.16.0.2/30"}, {"ip4_addr", "em0|172.16.0.1", "em0|172.16.0.1"},
	{"ip4_addr", "em0|10.0.0.5/24,em0|10.0.0.6/24", "em0|10.0.0.5/24,em0|10.0.0.6/24"},
	{"ip4_addr", "DEFAULT|10.1.1.5/24", "10.1.1.5/24"}, {"ip4_addr", "vnet0|DHCP", "vnet0|DHCP"},
	{"ip4_addr", "DHCP", "DHCP"}, {"ip4_addr", "vnet0|dhcp", "vnet0|dhcp"},
	{"ip4_addr", "em1|10.2.2.5/255.255.255.0", "em1|10.2.2.5/255.255.255.0"},
	{"ip4_addr", "10.2.2.5/0.0.0.255", "10.2.2.5/0.0.0.255"}, {"ip4_addr", "em0 | 10.0.0.5/24", "em0|10.0.0.5/24"},
	{"ip4_addr", "lo1|127.0.1.1", "lo1|127.0.1.1"}, {"ip4_addr", "10.0.0.5/024", "10.0.0.5/024"},
	{"ip6_addr", "none", "none"}, {"ip6_addr", "vnet0|accept_rtadv", "vnet0|accept_rtadv"},
	{"ip6_addr", "accept_rtadv", "accept_rtadv"}, {"ip6_addr", "em0|2001:db8::10/64", "em0|2001:db8::10/64"},
	{"ip6_addr", "2001:db8::1", "2001:db8::1"}, {"ip6_addr", "vnet0|fe80::1%vnet0/64", "vnet0|fe80::1%vnet0/64"},
	// routers
	{"defaultrouter", "auto", "auto"}, {"defaultrouter", "none", "none"}, {"defaultrouter", "172.16.0.1", "172.16.0.1"},
	{"defaultrouter6", "auto", "auto"}, {"defaultrouter6", "fe80::1%em0", "fe80::1%em0"}, {"defaultrouter6", "2001:db8::1", "2001:db8::1"},
	// interfaces
	{"interfaces", "vnet0:bridge0", "vnet0:bridge0"}, {"interfaces", "vnet0:bridge0,vnet1:bridge1", "vnet0:bridge0,vnet1:bridge1"},
	{"interfaces", "vnet0:bridge0, vnet1:bridge1", "vnet0:bridge0, vnet1:bridge1"}, {"interfaces", "vnet0:none", "vnet0:none"},
	{"vnet_default_interface", "none", "none"}, {"vnet_default_interface", "auto", "auto"}, {"vnet_default_interface", "em0", "em0"},
	{"vnet_interfaces", "none", "none"}, {"vnet_interfaces", "epair5b", "epair5b"}, {"vnet_interfaces", "em1  em2", "em1 em2"},
	// MACs
	{"vnet0_mac", "none", "none"}, {"vnet0_mac", "", "none"},
	{"vnet0_mac", "0ec47a8d2b01 0ec47a8d2b02", "0ec47a8d2b01 0ec47a8d2b02"},
	{"vnet1_mac", "02:a0:f8:d3:e0:01,02:a0:f8:d3:e0:02", "02:a0:f8:d3:e0:01 02:a0:f8:d3:e0:02"},
	{"vnet2_mac", "02-A0-F8-D3-E0-01 02-a0-f8-d3-e0-02", "02-A0-F8-D3-E0-01 02-a0-f8-d3-e0-02"},
	{"mac_prefix", "02ff60", "02ff60"}, {"mac_prefix", "0EC47A", "0EC47A"},
	// rctl
	{"memoryuse", "off", "off"}, {"memoryuse", "deny=8G", "deny=8G"}, {"memoryuse", "deny=8g", "deny=8g"},
	{"vmemoryuse", "log=100m", "log=100m"}, {"memoryuse", "devctl=1", "devctl=1"},
	{"memoryuse", "sigterm=512M", "sigterm=512M"}, {"maxproc", "sigkill=100", "sigkill=100"},
	{"pcpu", "deny=50", "deny=50"}, {"readbps", "throttle=10m", "throttle=10m"}, {"maxproc", "deny=100", "deny=100"},
	{"wallclock", "log=3600", "log=3600"},
	// cpuset
	{"cpuset", "off", "off"}, {"cpuset", "all", "all"}, {"cpuset", "0", "0"}, {"cpuset", "0,1,2,3", "0,1,2,3"},
	{"cpuset", "0-3", "0-3"}, {"cpuset", "2,0", "2,0"},
	// addresses
	{"localhost_ip", "none", "none"}, {"localhost_ip", "127.0.0.2", "127.0.0.2"},
	{"nat_forwards", "none", "none"}, {"nat_forwards", "tcp(80)", "tcp(80)"}, {"nat_forwards", "80", "tcp(80)"},
	{"nat_forwards", "8", "tcp(8)"}, {"nat_forwards", "udp(53)", "udp(53)"}, {"nat_forwards", "tcp/udp(53)", "tcp/udp(53)"},
	{"nat_forwards", "tcp(8080:80)", "tcp(8080:80)"}, {"nat_forwards", "tcp(8000-8010)", "tcp(8000-8010)"},
	{"nat_forwards", "tcp(32400:32400),udp(1900)", "tcp(32400:32400),udp(1900)"}, {"nat_forwards", "443,80", "tcp(443),tcp(80)"},
	// names
	{"host_hostname", "web", "web"}, {"host_hostname", "mail.example.org", "mail.example.org"},
	{"host_hostname", "db-1", "db-1"}, {"host_hostname", "db_1", "db_1"}, {"host_hostname", "a", "a"},
	{"host_domainname", "", ""}, {"host_domainname", "none", "none"}, {"host_domainname", "example.org", "example.org"},
	{"depends", "none", "none"}, {"depends", "db", "db"}, {"depends", "db  cache", "db cache"}, {"depends", "db.example", "db.example"},
	// resolver
	{"resolver", "/etc/resolv.conf", "/etc/resolv.conf"}, {"resolver", "none", "none"}, {"resolver", "/dev/null", "/dev/null"},
	{"resolver", "nameserver 1.1.1.1;search example.org", "nameserver 1.1.1.1;search example.org"},
	{"resolver", "nameserver 192.0.2.53;nameserver 192.0.2.54;", "nameserver 192.0.2.53;nameserver 192.0.2.54;"},
	{"resolver", "# jcage;nameserver 1.1.1.1", "# jcage;nameserver 1.1.1.1"},
	// paths and datasets
	{"jail_zfs_mountpoint", "none", "none"}, {"jail_zfs_mountpoint", "/mnt/data", "/mnt/data"},
	{"jail_zfs_dataset", "iocage/jails/web/data", "iocage/jails/web/data"}, {"jail_zfs_dataset", "tank/a tank/b", "tank/a tank/b"},
	{"hostid", "8e7f3b2a-1c4d-11ee-9a55-0cc47a123456", "8e7f3b2a-1c4d-11ee-9a55-0cc47a123456"},
	// zfs
	{"quota", "none", "none"}, {"quota", "10G", "10G"}, {"quota", "1.5T", "1.5T"}, {"quota", "500M", "500M"},
	{"quota", "20g", "20g"}, {"reservation", "none", "none"}, {"reservation", "2G", "2G"},
	{"dedup", "off", "off"}, {"dedup", "on", "on"}, {"dedup", "sha256,verify", "sha256,verify"},
	{"compression", "on", "on"}, {"compression", "lz4", "lz4"}, {"compression", "zstd", "zstd"},
	{"compression", "zstd-3", "zstd-3"}, {"compression", "zstd-fast-1000", "zstd-fast-1000"},
	{"compression", "gzip-9", "gzip-9"}, {"compression", "off", "off"},
	// commands and text
	{"exec_start", "/bin/sh /etc/rc", "/bin/sh /etc/rc"}, {"exec_prestart", "/usr/bin/true", "/usr/bin/true"},
	{"notes", "Zürich ☃", "Zürich ☃"}, {"notes", "", ""}, {"notes", "none", "none"}, {"comment", "-", "-"},
	{"owner", "root", "root"}, {"login_flags", "-f root", "-f root"}, {"plugin_name", "plex", "plex"},
	{"exec_system_jail_user", "0", "0"},
}

func TestValidateAccepts(t *testing.T) {
	for _, tc := range accepted {
		got, err := Validate(tc.key, tc.in, hostCtx())
		if err != nil {
			t.Errorf("Validate(%s=%q): %v", tc.key, tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Validate(%s=%q) = %q, want %q", tc.key, tc.in, got, tc.want)
		}
		// Storing the result and validating it again changes nothing.
		if again, err := Validate(tc.key, got, hostCtx()); err != nil || again != got {
			t.Errorf("Validate(%s=%q) not idempotent: %q, %v", tc.key, got, again, err)
		}
	}
}

type reject struct{ key, in, msg string }

// Values set refuses. msg is the exact message where it is iocage's, or a
// prefix ending in "…" otherwise. Several are values iocage's substring
// checks let through.
var rejected = []reject{
	{"boot", "bogus1", "bogus1 is not a valid value for boot.\nValue must be 0 or 1 or off or on or no or yes or false or true"},
	{"boot", "2", "2 is not a valid value for boot.…"}, {"boot", "", " is not a valid value for boot.…"},
	{"boot", " 1", "…"}, {"boot", "y", "…"}, {"boot", "onn", "…"}, {"vnet", "enabled", "…"},
	{"ip4", "newer", "newer is not a valid value for ip4.\nValue must be new or inherit or disable"},
	{"ip4", "none", "…"}, {"enforce_statfs", "3", "3 is not a valid value for enforce_statfs.\nValue must be 0 or 1 or 2"},
	{"enforce_statfs", "12", "…"}, {"rlimits", "yes", "yes is not a valid value for rlimits.\nValue must be off or on"},
	{"exec_fib", "-1", "-1 is not a valid value for exec_fib.\nValue must be an integer from 0 to 65535"},
	{"exec_fib", "a", "…"}, {"exec_fib", "65536", "…"}, {"exec_fib", "+1", "…"}, {"exec_fib", "1.0", "…"},
	{"securelevel", "4", "…"}, {"securelevel", "-2", "…"}, {"securelevel", "", "…"},
	{"priority", "0", "0 is not a valid value for priority.\nValue must be an integer from 1 to 99"},
	{"priority", "100", "…"}, {"priority", "x(", "…"}, {"priority", "1.5", "…"}, {"priority", "(1, 2)", "…"},
	{"devfs_ruleset", "abc", "Invalid devfs_ruleset value: abc"}, {"devfs_ruleset", "-1", "Invalid devfs_ruleset value: -1"},
	{"devfs_ruleset", "65536", "…"}, {"min_dyn_devfs_ruleset", "x", "Invalid min_dyn_devfs_ruleset value: x"},
	{"vnet0_mtu", "0", "…"}, {"vnet0_mtu", "abc", "…"}, {"vnet0_mtu", "70000", "…"}, {"vnet_default_mtu", "auto", "…"},
	{"ip4_addr", "|10.0.0.5", "Please provide a valid interface"},
	{"ip4_addr", "em0|10.0.0.256/24", "Please provide a valid ip: …"}, {"ip4_addr", "10.0.0.5/33", "Please provide a valid ip: …"},
	{"ip4_addr", "fe80::1", "…"}, {"ip4_addr", "em0|10.0.0.5|x", "Please provide a valid interface"},
	{"ip4_addr", "mystring", "…"}, {"ip4_addr", "10.0.0.5/255.0.255.0", "…"}, {"ip4_addr", "em0|accept_rtadv", "…"},
	{"ip4_addr", "", "…"}, {"ip4_addr", "10.0.0.5,", "…"}, {"ip4_addr", "NONE", "…"}, {"ip4_addr", "bad iface!|10.0.0.1", "…"},
	{"ip6_addr", "10.0.0.1", "…"}, {"ip6_addr", "vnet0|DHCP", "…"}, {"ip6_addr", "2001:db8::1/129", "…"},
	{"defaultrouter", "fe80::1", "…"}, {"defaultrouter", "em0", "…"}, {"defaultrouter6", "192.0.2.1", "…"},
	{"interfaces", "vnet0", "vnet0 is not a valid value for interfaces.\nInterfaces must be specified as a pair.\nEXAMPLE: vnet0:bridge0, vnet1:bridge1"},
	{"interfaces", "vnet0:", "…"}, {"interfaces", ":bridge0", "…"}, {"interfaces", "vnet0:bridge0,", "…"},
	{"interfaces", ",", "…"}, {"interfaces", "a:b:c", "…"},
	{"vnet_default_interface", "em9", "Please provide a valid NIC to be used with vnet"},
	{"vnet_default_interface", "bad name", "Please provide a valid NIC to be used with vnet"},
	{"vnet_interfaces", "", "…"}, {"vnet_interfaces", "em1,em2", "…"},
	{"vnet0_mac", "0ec47a8d2b01", "Please enter two valid and different space/comma-delimited MAC addresses for vnet0_mac."},
	{"vnet0_mac", "0ec47a8d2b01 0ec47a8d2b01", "Please enter two valid and different space/comma-delimited MAC addresses for vnet0_mac."},
	{"vnet0_mac", "0EC47A8D2B01 0ec47a8d2b01", "…"}, {"vnet0_mac", "02:a0-f8:d3:e0:01 02:a0:f8:d3:e0:02", "…"},
	{"vnet0_mac", "zz0000000000 020000000001", "…"}, {"vnet0_mac", "020000000001 020000000002 020000000003", "…"},
	{"mac_prefix", "01ff60", "Invalid mac_prefix. Must match `?X????` where ? can be any valid hex digit (0-9, A-F) and X is one of 2, 6, A or E."},
	{"mac_prefix", "0x1234", "…"}, {"mac_prefix", "02ff6", "…"},
	{"memoryuse", "8G:deny", `Please supply a valid value for rctl property memoryuse following format "action=amount" or "off" where valid actions are "deny|log|devctl|sig*|throttle"`},
	{"memoryuse", "deny=8X", "…"}, {"memoryuse", "xxdeny=1g", "…"}, {"memoryuse", "DENY=1g", "…"}, {"memoryuse", "deny=", "…"},
	{"pcpu", "deny=50m", "suffix m is not allowed with pcpu"},
	{"cputime", "deny=10", "Deny action is not supported with prop cputime"},
	{"memoryuse", "throttle=1", `Throttle action is only supported with properties "readbps, writebps, readiops, writeiops"`},
	{"cpuset", "4", "Please make sure the provided cpus fall in the correct range of cpus.\nFor this system it is: 0,1,2,3"},
	{"cpuset", "0-4", "…"}, {"cpuset", "3-1", "…"}, {"cpuset", "1,1", "…"}, {"cpuset", "0-0", "…"},
	{"cpuset", "0,", "Please specify a valid format for cpuset value.\nFollowing 4 formats are supported:\n1) comma delimited string i.e 0,1,2,3\n2) a range of values i.e 0-2\n3) \"all\" - all would mean using all cores\n4) off"},
	{"cpuset", "a", "Please specify a valid format for cpuset value.…"}, {"cpuset", "0-1-2", "…"}, {"cpuset", " 0", "…"},
	{"localhost_ip", "127.0.0.256", "Invalid IPv4 address: …"}, {"localhost_ip", "::1", "Invalid IPv4 address: …"},
	{"nat_forwards", "tcp(0)", "Invalid nat_forwards value: tcp(0)"}, {"nat_forwards", "tcp(70000)", "…"},
	{"nat_forwards", "icmp(1)", "…"}, {"nat_forwards", "tcp(80", "…"}, {"nat_forwards", "tcp(8010-8000)", "…"},
	{"nat_forwards", "tcp(80) ", "…"}, {"nat_forwards", "", "…"}, {"nat_forwards", "80,", "…"},
	{"host_hostname", "", "…"}, {"host_hostname", "-web", "…"}, {"host_hostname", "web-", "…"},
	{"host_hostname", "a..b", "…"}, {"host_hostname", "a b", "…"}, {"host_hostname", "wä", "…"},
	{"host_hostname", strings.Repeat("a", 64), "…"}, {"host_domainname", "a b", "…"},
	{"depends", "", "…"}, {"depends", "a/b", "…"}, {"depends", "..", "…"}, {"depends", "db web", "…"},
	{"resolver", "", "…"}, {"resolver", "foo bar", "…"}, {"resolver", "nameserver", "…"},
	{"resolver", "/etc/resolv conf", "…"}, {"resolver", ";;", "…"},
	{"jail_zfs_mountpoint", "mnt", "…"}, {"jail_zfs_mountpoint", "", "…"},
	{"jail_zfs_dataset", "", "…"}, {"jail_zfs_dataset", "/tank/a", "…"}, {"jail_zfs_dataset", "tank/a@snap", "…"},
	{"jail_zfs_dataset", "tank//a", "…"}, {"hostid", "none", "…"}, {"hostid", "abc", "…"},
	{"quota", "10", "10 should have a suffix ending in M, G, or T."}, {"quota", "10K", "…"}, {"quota", "abcG", "…"},
	{"reservation", "lots", "lots should have a suffix ending in M, G, or T."},
	{"dedup", "yes", "…"}, {"compression", "gzip-10", "…"}, {"compression", "brotli", "…"},
	{"exec_start", "", "…"}, {"exec_stop", "   ", "…"},
}

func TestValidateRejects(t *testing.T) {
	for _, tc := range rejected {
		got, err := Validate(tc.key, tc.in, hostCtx())
		if err == nil {
			t.Errorf("Validate(%s=%q) accepted as %q", tc.key, tc.in, got)
			continue
		}
		if !errors.Is(err, ErrInvalidValue) {
			t.Errorf("Validate(%s=%q): %v does not unwrap to ErrInvalidValue", tc.key, tc.in, err)
		}
		var pe *PropError
		if !errors.As(err, &pe) || pe.Key != tc.key || pe.Value != tc.in {
			t.Errorf("Validate(%s=%q): %#v", tc.key, tc.in, err)
		}
		if prefix, ok := strings.CutSuffix(tc.msg, "…"); ok {
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("Validate(%s=%q) = %q, want prefix %q", tc.key, tc.in, err, prefix)
			}
		} else if err.Error() != tc.msg {
			t.Errorf("Validate(%s=%q) =\n%q\nwant\n%q", tc.key, tc.in, err, tc.msg)
		}
	}
}

// TestEveryClassCovered: each class has accepted and rejected table rows.
func TestEveryClassCovered(t *testing.T) {
	acc, rej := map[Class]bool{}, map[Class]bool{}
	for _, a := range accepted {
		p, _ := Lookup(a.key)
		acc[p.Class] = true
	}
	for _, r := range rejected {
		p, _ := Lookup(r.key)
		rej[p.Class] = true
	}
	// nat_prefix is default-only; TestValidateRefusals covers it.
	acc[ClassNATPrefix], rej[ClassNATPrefix] = true, true
	for c := ClassMeta + 1; c <= ClassText; c++ {
		if !acc[c] {
			t.Errorf("class %s has no accepted case", c)
		}
		if !rej[c] && c != ClassText {
			t.Errorf("class %s has no rejected case", c)
		}
	}
}

func TestValidateRefusals(t *testing.T) {
	jailCfg := mustParse(t, `{"host_hostuuid": "web", "tag": "www", "bpf": 1}`)
	defCfg, _ := BuiltinDefaults(34, defaults.Host{})
	jail := func() SetContext { c := hostCtx(); c.Config = jailCfg; return c }
	def := func() SetContext { c := hostCtx(); c.Default = true; c.Config = defCfg; return c }
	running := func() SetContext { c := jail(); c.Running = true; return c }
	create := func() SetContext { c := jail(); c.Create = true; return c }
	natUp := func() SetContext {
		c := def()
		c.ActiveNATJails = func() []string { return []string{"plex", "web"} }
		return c
	}
	cases := []struct {
		name       string
		ctx        SetContext
		key, value string
		kind       error
		msg        string
	}{
		{"unknown", jail(), "nonsense", "1", ErrUnknownProperty, "nonsense is not a valid property!"},
		{"unknown no config", hostCtx(), "nonsense", "1", ErrUnknownProperty, "nonsense is not a valid property!"},
		{"unknown stored", jail(), "tag", "x", ErrReadOnly, "tag cannot be changed by the user."},
		{"uuid", jail(), "host_hostuuid", "x", ErrReadOnly, "host_hostuuid cannot be changed by the user."},
		{"release", jail(), "release", "14.1-RELEASE", ErrReadOnly, "release cannot be changed by the user."},
		{"cloned_release", jail(), "cloned_release", "x", ErrReadOnly, "cloned_release cannot be changed by the user."},
		{"type", jail(), "type", "jail", ErrReadOnly, "type cannot be changed by the user."},
		{"last_started", jail(), "last_started", "never", ErrReadOnly, "last_started cannot be changed by the user."},
		{"version", jail(), "CONFIG_VERSION", "35", ErrReadOnly, "CONFIG_VERSION cannot be changed by the user."},
		{"config type", jail(), "CONFIG_TYPE", "THIN", ErrReadOnly, "CONFIG_TYPE cannot be changed by the user."},
		{"basejail", jail(), "basejail", "1", ErrReadOnly, "basejail cannot be changed by the user."},
		{"state", jail(), "state", "up", ErrReadOnly, "state cannot be changed by the user."},
		{"jid", jail(), "jid", "1", ErrReadOnly, "jid cannot be changed by the user."},
		{"origin", jail(), "origin", "x", ErrReadOnly, "origin cannot be changed by the user."},
		{"mountpoint", jail(), "mountpoint", "/mnt", ErrReadOnly, "mountpoint cannot be changed by the user."},
		{"used", jail(), "used", "1G", ErrReadOnly, "used cannot be changed by the user."},
		{"default-only", jail(), "nat_prefix", "10.0", ErrDefaultOnly, "nat_prefix can only be changed for defaults!"},
		{"default-only backend", jail(), "nat_backend", "pf", ErrDefaultOnly, "nat_backend can only be changed for defaults!"},
		{"jail-only in default", def(), "host_hostname", "x", ErrUnknownProperty, "host_hostname is not a valid property for default!"},
		{"unknown in default", def(), "nonsense", "x", ErrUnknownProperty, "nonsense is not a valid property for default!"},
		{"template in default", def(), "template", "1", ErrReadOnly, "template cannot be changed by the user."},
		{"release in default", def(), "release", "x", ErrUnknownProperty, "release is not a valid property for default!"},
		{"nat up", natUp(), "nat_interface", "em0", ErrNATJailsUp, "nat_interface cannot be changed with active NAT jails. Please stop the following active jails.\n   - plex\n   - web"},
		{"running dhcp", running(), "dhcp", "1", ErrJailRunning, "web is running.\nPlease stop it first!"},
		{"running jail_zfs", running(), "jail_zfs", "on", ErrJailRunning, "web is running.\nPlease stop it first!"},
		{"running dataset", running(), "jail_zfs_dataset", "tank/x", ErrJailRunning, "web is running.\nPlease stop it first!"},
		{"running mountpoint", running(), "jail_zfs_mountpoint", "/x", ErrJailRunning, "web is running.\nPlease stop it first!"},
		{"nat with bpf", jail(), "nat", "1", ErrInvalidValue, "bpf should be disabled when nat is being enabled."},
		{"create type", create(), "type", "template", ErrInvalidValue, "template is not a valid value for type.\nValue must be jail or pluginv2 or plugin"},
		{"racct off", func() SetContext { c := jail(); c.RacctEnabled = func() bool { return false }; return c }(),
			"memoryuse", "deny=1g", ErrInvalidValue, "Please set kern.racct.enable -> 1 to set rctl rules"},
		{"nat prefix public", def(), "nat_prefix", "8.8", ErrInvalidValue, "Invalid nat_prefix value: 8.8\nMust be a private range"},
		{"nat prefix 172.32", def(), "nat_prefix", "172.32", ErrInvalidValue, "Invalid nat_prefix value: 172.32\nMust be a private range"},
		{"nat prefix octets", def(), "nat_prefix", "172.16.0", ErrInvalidValue, "Invalid nat_prefix value: 172.16.0\nSupply the first two octets only (XXX.XXX)"},
		{"nat prefix none", def(), "nat_prefix", "none", ErrInvalidValue, "Invalid nat_prefix value: none\nSupply the first two octets only (XXX.XXX)"},
		{"nat interface auto", def(), "nat_interface", "auto", ErrInvalidValue, "auto is not a valid value for nat_interface.\nValue must be none or a host interface"},
		{"nat interface missing", def(), "nat_interface", "em7", ErrInvalidValue, "em7 is not a valid value for nat_interface.\nValue must be none or a host interface"},
	}
	for _, tc := range cases {
		_, err := Validate(tc.key, tc.value, tc.ctx)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if !errors.Is(err, tc.kind) {
			t.Errorf("%s: %v is not %v", tc.name, err, tc.kind)
		}
		if err.Error() != tc.msg {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, err, tc.msg)
		}
	}

	ok := []struct {
		name       string
		ctx        SetContext
		key, value string
		want       string
	}{
		{"running boot", running(), "boot", "1", "1"},
		{"bpf off with nat", jail(), "nat", "0", "0"},
		{"create pluginv2", create(), "type", "pluginv2", "pluginv2"},
		{"default nat_prefix", def(), "nat_prefix", "10.0", "10.0"},
		{"default nat_prefix 192.168", def(), "nat_prefix", "192.168", "192.168"},
		{"default nat_interface", def(), "nat_interface", "igb0", "igb0"},
		{"default nat_backend", def(), "nat_backend", "PF", "pf"},
		{"default quota", def(), "quota", "10G", "10G"},
		{"default boot", def(), "boot", "on", "1"},
		{"racct off, off", func() SetContext { c := jail(); c.RacctEnabled = func() bool { return false }; return c }(), "memoryuse", "off", "off"},
		{"nic unknown host", SetContext{}, "vnet_default_interface", "em9", "em9"},
		{"cpus unknown host", SetContext{}, "cpuset", "0-63", "0-63"},
	}
	for _, tc := range ok {
		got, err := Validate(tc.key, tc.value, tc.ctx)
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	// Depending on yourself.
	if _, err := Validate("depends", "db web", hostCtx()); err == nil {
		t.Error("a jail may depend on itself")
	}
	// nat and bpf exclude each other in both directions.
	natCfg := mustParse(t, `{"nat": 1}`)
	c := hostCtx()
	c.Config = natCfg
	if _, err := Validate("bpf", "yes", c); err == nil || err.Error() != "nat should be disabled when bpf is being enabled." {
		t.Errorf("bpf with nat: %v", err)
	}
}

// TestDefaultValuesValidate: every value in every default set jcage writes
// passes set unchanged, so "set KEY=<its default>" always works.
func TestDefaultValuesValidate(t *testing.T) {
	for v := defaults.MinVersion; v <= defaults.Version; v++ {
		d, err := BuiltinDefaults(v, testHost)
		if err != nil {
			t.Fatal(err)
		}
		ctx := hostCtx()
		ctx.Default = true
		ctx.Config = d
		ctx.HostHasNIC = nil
		for _, k := range d.Keys() {
			p, _ := Lookup(k)
			if p.Has(ReadOnly) || p.Has(Special) {
				continue
			}
			val, _ := d.Get(k)
			got, err := Validate(k, val, ctx)
			if err != nil {
				t.Errorf("v%d %s=%q: %v", v, k, val, err)
			} else if got != val {
				t.Errorf("v%d %s=%q normalised to %q", v, k, val, got)
			}
		}
	}
}

// TestCorpusValuesValidate: the settable values in the corpus (what iocage
// wrote on real hosts) pass set, and setting the result again is a no-op.
func TestCorpusValuesValidate(t *testing.T) {
	// Deliberate refusals: the legacy "amount:action" RCTL form, which
	// iocage refuses too and rctl(8) rejects; an integer localhost_ip,
	// which only iocage's create writes by mistake.
	skip := map[string]bool{
		"edge-values.json memoryuse":     true,
		"unknown-keys.json localhost_ip": true,
	}
	for name, data := range corpus(t) {
		c, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		ctx := SetContext{Config: c, Default: strings.HasPrefix(name, "defaults")}
		for _, k := range c.Keys() {
			p, known := Lookup(k)
			if !known || p.Has(ReadOnly) || (ctx.Default && p.Has(Special)) || skip[name+" "+k] {
				continue
			}
			if !ctx.Default && p.Has(DefaultOnly) {
				continue
			}
			if raw, _ := c.Value(k); raw == nil {
				continue
			}
			val, _ := c.Get(k)
			if k == "nat" || k == "bpf" {
				ctx.Config = nil // the corpus has dhcp jails with bpf=1 and nat=0 stored
			}
			got, err := Validate(k, val, ctx)
			ctx.Config = c
			if err != nil {
				t.Errorf("%s: %s=%q: %v", name, k, val, err)
				continue
			}
			uuid, _ := c.Get("host_hostuuid")
			if again, err := Validate(k, got, SetContext{Default: ctx.Default, Name: uuid}); err != nil || again != got {
				t.Errorf("%s: %s=%q not stable: %q, %v", name, k, got, again, err)
			}
		}
	}
}

func TestParseAssignment(t *testing.T) {
	cases := []struct{ in, key, value string }{
		{"ip4_addr=em0 | 10.0.0.5/24", "ip4_addr", "em0|10.0.0.5/24"},
		{"ip6_addr= vnet0|accept_rtadv", "ip6_addr", "vnet0|accept_rtadv"},
		{"notes=a b", "notes", "a b"},
		{"notes=", "notes", ""},
		{"exec_start=/bin/sh -c a=b", "exec_start", "/bin/sh -c a=b"},
	}
	for _, tc := range cases {
		k, v, err := ParseAssignment(tc.in)
		if err != nil || k != tc.key || v != tc.value {
			t.Errorf("ParseAssignment(%q) = %q, %q, %v", tc.in, k, v, err)
		}
	}
	if _, _, err := ParseAssignment("notes"); err == nil || err.Error() != "notes is missing a value!" {
		t.Errorf("missing value: %v", err)
	}
}

func TestTemplateChange(t *testing.T) {
	if err := TemplateChange("web", true, "yes"); err == nil || err.Error() != "web is already a template!" {
		t.Errorf("template to template: %v", err)
	}
	if err := TemplateChange("web", false, "no"); err == nil || err.Error() != "web is already a jail!" {
		t.Errorf("jail to jail: %v", err)
	}
	if TemplateChange("web", false, "on") != nil || TemplateChange("web", true, "0") != nil {
		t.Error("a real conversion refused")
	}
}

func TestMessages(t *testing.T) {
	if got := ChangeMessage("boot", "0", "1"); got != "boot: 0 -> 1" {
		t.Error(got)
	}
	if got := DefaultChangeMessage("nat_prefix", "10.0"); got != "Default Property: nat_prefix has been updated to 10.0" {
		t.Error(got)
	}
	if got := RunningMessage("web"); got != "web is running.\nPlease stop it first!" {
		t.Error(got)
	}
}

// Values the confinement rules accept: iocage's defaults and what an
// iocage host writes, at the edges of each rule.
var acceptedConfined = []accept{
	// resolver
	{"resolver", "nameserver 2001:db8::53", "nameserver 2001:db8::53"},
	{"resolver", "nameserver fe80::1%em0;options edns0", "nameserver fe80::1%em0;options edns0"},
	{"resolver", "domain example.org;sortlist 130.155.160.0/255.255.240.0", "domain example.org;sortlist 130.155.160.0/255.255.240.0"},
	{"resolver", "search a.example b.example;options ndots:2 timeout:1", "search a.example b.example;options ndots:2 timeout:1"},
	{"resolver", "nameserver\t192.0.2.1", "nameserver\t192.0.2.1"},
	{"resolver", "nameserver 192.0.2.1;" + strings.Repeat(" ", MaxResolverLen-22), "nameserver 192.0.2.1;" + strings.Repeat(" ", MaxResolverLen-22)},
	// jail_zfs_dataset
	{"jail_zfs_dataset", "iocage/jails/web/data/sub", "iocage/jails/web/data/sub"},
	{"jail_zfs_dataset", "iocage/jails/web/data iocage/jails/web/db", "iocage/jails/web/data iocage/jails/web/db"},
	{"jail_zfs_dataset", "data", "data"}, {"jail_zfs_dataset", "tank:x/a.b/c-d_e", "tank:x/a.b/c-d_e"},
	{"jail_zfs_dataset", "iocagex/a", "iocagex/a"}, {"jail_zfs_dataset", "jails/web", "jails/web"},
	{"jail_zfs_dataset", "a/.hidden/b", "a/.hidden/b"}, {"jail_zfs_dataset", "a/...", "a/..."},
	{"jail_zfs_dataset", strings.Repeat("d", 255), strings.Repeat("d", 255)},
	// free text
	{"notes", strings.Repeat("n", MaxTextLen), strings.Repeat("n", MaxTextLen)},
	{"notes", strings.Repeat("é", MaxTextLen/2), strings.Repeat("é", MaxTextLen/2)},
	{"comment", "🐡 Beastie — «Jäger» ñ 日本語 \u00a0nbsp", "🐡 Beastie — «Jäger» ñ 日本語 \u00a0nbsp"},
	{"owner", "José Müller", "José Müller"}, {"plugin_repository", "https://github.com/freenas/iocage-ix-plugins.git", "https://github.com/freenas/iocage-ix-plugins.git"},
	{"exec_jail_user", "root", "root"}, {"exec_system_user", "root", "root"},
}

func TestValidateAcceptsConfined(t *testing.T) {
	for _, tc := range acceptedConfined {
		got, err := Validate(tc.key, tc.in, hostCtx())
		if err != nil || got != tc.want {
			t.Errorf("Validate(%s=%.40q) = %.40q, %v", tc.key, tc.in, got, err)
		}
	}
}

// Values the confinement rules refuse, with the message each gets: one
// line, the value shown quoted and cut when it is not short plain text.
var rejectedConfined = []reject{
	// resolver: only the forms start understands
	{"resolver", "/etc/shadow", "Invalid resolver value: /etc/shadow (none, /etc/resolv.conf, /dev/null, or resolv.conf lines separated by ; such as nameserver 192.0.2.53;search example.org)"},
	{"resolver", "/etc/resolv.conf.bak", "Invalid resolver value: /etc/resolv.conf.bak (…"},
	{"resolver", "/dev/zero", "…"}, {"resolver", "/usr/local/etc/resolv.conf", "…"}, {"resolver", "NONE", "…"},
	{"resolver", "nameserver 1.1.1.1\nnameserver 6.6.6.6", `Invalid resolver value: "nameserver 1.1.1.1\nnameserver 6.6.6.6" (…`},
	{"resolver", "nameserver 1.1.1.1\r", "…"}, {"resolver", "nameserver 1.1.1.1\x00", "…"},
	{"resolver", "search a\x1b[2Jb", "…"}, {"resolver", "nameserver \u0085", "…"},
	{"resolver", "nameserver evil.example", "…"}, {"resolver", "nameserver 1.1.1.1 2.2.2.2", "…"},
	{"resolver", "nameserver 1.1.1.256", "…"}, {"resolver", "include /etc/shadow", "…"},
	{"resolver", "search", "…"}, {"resolver", "nameserver 1.1.1.1;bogus x", "…"},
	{"resolver", "search " + strings.Repeat("a", MaxResolverLen), `Invalid resolver value: "search aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"... (…`},
	{"resolver", "search \xff", "…"},
	// jail_zfs_dataset: inside the pool, and inside the tree only the jail's own
	{"jail_zfs_dataset", "../../other", "Invalid jail_zfs_dataset value: ../../other (a dataset relative to the pool, without . or .. components)"},
	{"jail_zfs_dataset", "a/../b", "…"}, {"jail_zfs_dataset", "a/./b", "…"}, {"jail_zfs_dataset", "..", "…"}, {"jail_zfs_dataset", ".", "…"},
	{"jail_zfs_dataset", "/otherpool/x", "Invalid jail_zfs_dataset value: /otherpool/x (a dataset relative to the pool, not an absolute name)"},
	{"jail_zfs_dataset", "a/", "Invalid jail_zfs_dataset value: a/ (a dataset name has no empty components)"},
	{"jail_zfs_dataset", "a b/", "…"}, {"jail_zfs_dataset", "tank/a#b", "Invalid jail_zfs_dataset value: tank/a#b (a dataset name holds letters, digits and _.:- only)"},
	{"jail_zfs_dataset", "tank/a%b", "…"}, {"jail_zfs_dataset", "tank/ä", "…"}, {"jail_zfs_dataset", "   ", `Invalid jail_zfs_dataset value: "   " (space-separated datasets relative to the pool)`},
	{"jail_zfs_dataset", strings.Repeat("d", 256), "Invalid jail_zfs_dataset value: \"" + strings.Repeat("d", 80) + "\"... (256 bytes, the most is 255)"},
	{"jail_zfs_dataset", "iocage", "Invalid jail_zfs_dataset value: iocage (inside the iocage tree a jail may only be given iocage/jails/web/...)"},
	{"jail_zfs_dataset", "iocage/jails", "…"}, {"jail_zfs_dataset", "iocage/jails/web", "…"},
	{"jail_zfs_dataset", "iocage/jails/web/root", "…"}, {"jail_zfs_dataset", "iocage/jails/web/root/x", "…"},
	{"jail_zfs_dataset", "iocage/jails/other/data", "…"}, {"jail_zfs_dataset", "iocage/jails/webx/data", "…"},
	{"jail_zfs_dataset", "iocage/releases/14.3-RELEASE/root", "…"}, {"jail_zfs_dataset", "iocage/templates/web/data", "…"},
	{"jail_zfs_dataset", "iocage/download", "…"}, {"jail_zfs_dataset", "iocage/jails/web/data iocage", "…"},
	// free text: capped, one line, UTF-8
	{"notes", "line1\nline2", `Invalid notes value: "line1\nline2" holds a control character`},
	{"notes", strings.Repeat("n", MaxTextLen+1), "Invalid notes value: 1025 bytes, the most is 1024"},
	{"notes", strings.Repeat("x", 1<<20), "Invalid notes value: 1048576 bytes, the most is 1024"},
	{"notes", "a\tb", "…"}, {"notes", "a\rb", "…"}, {"notes", "\x1b]0;pwned\x07", "…"}, {"notes", "a\x00b", "…"},
	{"notes", "a\x7fb", "…"}, {"notes", "a\u0085b", "…"}, {"notes", "caf\xe9", `Invalid notes value: "caf\xe9" is not UTF-8 text`},
	{"comment", "x\ny", "Invalid comment value: …"}, {"owner", "root\n", "…"}, {"login_flags", "-f\nroot", "…"},
	{"exec_jail_user", "root\x00", "…"}, {"exec_system_jail_user", "0\n", "…"}, {"exec_system_user", "\r", "…"},
	{"plugin_name", "p\x1b", "…"}, {"plugin_repository", strings.Repeat("r", 2000), "…"},
}

func TestValidateRejectsConfined(t *testing.T) {
	for _, tc := range rejectedConfined {
		got, err := Validate(tc.key, tc.in, hostCtx())
		if err == nil {
			t.Errorf("Validate(%s=%.40q) accepted as %.40q", tc.key, tc.in, got)
			continue
		}
		if !errors.Is(err, ErrInvalidValue) {
			t.Errorf("Validate(%s=%.40q): %v does not unwrap to ErrInvalidValue", tc.key, tc.in, err)
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || len(msg) > 400 {
			t.Errorf("Validate(%s=%.40q): not one short line: %q", tc.key, tc.in, msg)
		}
		if prefix, ok := strings.CutSuffix(tc.msg, "…"); ok {
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("Validate(%s=%.40q) = %q, want prefix %q", tc.key, tc.in, msg, prefix)
			}
		} else if msg != tc.msg {
			t.Errorf("Validate(%s=%.40q) =\n%q\nwant\n%q", tc.key, tc.in, msg, tc.msg)
		}
	}
}

// TestDatasetsOwnJail: inside the iocage tree, the jail named by the
// context, or by the config's host_hostuuid, is the only one that counts;
// with neither, nothing in the tree is accepted.
func TestDatasetsOwnJail(t *testing.T) {
	cfg := mustParse(t, `{"host_hostuuid": "db"}`)
	if _, err := Validate("jail_zfs_dataset", "iocage/jails/db/data", SetContext{Config: cfg}); err != nil {
		t.Errorf("own dataset by host_hostuuid: %v", err)
	}
	if _, err := Validate("jail_zfs_dataset", "iocage/jails/db/data", SetContext{}); err == nil ||
		err.Error() != "Invalid jail_zfs_dataset value: iocage/jails/db/data (inside the iocage tree a jail may only be given nothing)" {
		t.Errorf("no name: %v", err)
	}
	if _, err := Validate("jail_zfs_dataset", "tank/db", SetContext{}); err != nil {
		t.Errorf("outside the tree, no name: %v", err)
	}
	if _, err := Validate("jail_zfs_dataset", "iocage/jails/db/data", SetContext{Default: true}); err == nil {
		t.Error("jail_zfs_dataset accepted for default")
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{
		"web", "db_1", "a.b", "mail.example.org", "A-", "a-", "x_", "0", "a.b.c", "_x", "web.",
		"8e7f3b2a-1c4d-41ee-9a55-0cc47a123456", "8e7f3b2a", strings.Repeat("n", MaxNameLen),
		"all", "Default", "HELP", "jail", "release", "template", "latest", "nonex", "a-.b",
	} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q): %v", ok, err)
		}
	}
	long := strings.Repeat("a", 251)
	cases := []struct{ name, msg string }{
		{"", `Invalid name "", please choose another.`},
		{".", `Invalid name ".", please choose another.`},
		{"..", `Invalid name "..", please choose another.`},
		{"bad name", "Invalid character in bad name, please remove it."},
		{"a/b", "Invalid character in a/b, please remove it."},
		{"../x", "Invalid character in ../x, please remove it."},
		{"a\nb", `Invalid character in "a\nb", please remove it.`},
		{"a\x00", `Invalid character in "a\x00", please remove it.`},
		{"\x1b[31mred", `Invalid character in "\x1b[31mred", please remove it.`},
		{"wä", "Invalid character in wä, please remove it."},
		{"a;b", "Invalid character in a;b, please remove it."}, {"a$b", "Invalid character in a$b, please remove it."},
		{"a@b", "Invalid character in a@b, please remove it."}, {"a%b", "Invalid character in a%b, please remove it."},
		{"a:b", "Invalid character in a:b, please remove it."}, {"a,b", "Invalid character in a,b, please remove it."},
		{strings.Repeat("n", MaxNameLen+1), "Invalid name " + strings.Repeat("n", MaxNameLen+1) + ": 64 bytes, the most is 63 (the kernel's host.hostuuid), please choose another."},
		{long, `Invalid name "` + long[:80] + `"...: 251 bytes, the most is 63 (the kernel's host.hostuuid), please choose another.`},
		{"-", `Invalid name -: a name cannot start with "-", please choose another.`},
		{"-n", `Invalid name -n: a name cannot start with "-", please choose another.`},
		{"--help", `Invalid name --help: a name cannot start with "-", please choose another.`},
		{".hidden", `Invalid name .hidden: a name cannot start with ".", please choose another.`},
		{"...", `Invalid name ...: a name cannot start with ".", please choose another.`},
		{"a..b", `Invalid name a..b: a name cannot contain "..", please choose another.`},
		{"a..", `Invalid name a..: a name cannot contain "..", please choose another.`},
	}
	for _, r := range []string{"ALL", "default", "help", "none", "iocage", "download", "images", "jails", "log", "releases", "templates"} {
		cases = append(cases, struct{ name, msg string }{r, "You cannot name a jail " + r + ", that is a reserved name."})
	}
	for _, tc := range cases {
		err := CheckName(tc.name)
		if err == nil {
			t.Errorf("CheckName(%q) accepted", tc.name)
			continue
		}
		if err.Error() != tc.msg {
			t.Errorf("CheckName(%q) =\n%q\nwant\n%q", tc.name, err, tc.msg)
		}
	}
}

func TestParseAssignmentNoName(t *testing.T) {
	cases := map[string]string{
		"=value":  "=value is missing a property name!",
		"=":       "= is missing a property name!",
		"==x":     "==x is missing a property name!",
		"=a\nb":   `"=a\nb" is missing a property name!`,
		"\x1b[2J": `"\x1b[2J" is missing a value!`,
	}
	for in, msg := range cases {
		_, _, err := ParseAssignment(in)
		if err == nil || err.Error() != msg {
			t.Errorf("ParseAssignment(%q): %v, want %q", in, err, msg)
		}
	}
	if _, _, err := ParseAssignment("=value"); !errors.Is(err, ErrUnknownProperty) {
		t.Errorf("empty name: %v is not ErrUnknownProperty", err)
	}
	// An unknown name with control characters is shown quoted.
	if _, err := Validate("no\ntes", "x", hostCtx()); err == nil || err.Error() != `"no\ntes" is not a valid property!` {
		t.Errorf("control characters in a name: %v", err)
	}
}

func TestShown(t *testing.T) {
	cases := map[string]string{
		"plain":                       "plain",
		"":                            "",
		"Zürich ☃":                    "Zürich ☃",
		"a\nb":                        `"a\nb"`,
		"tab\there":                   `"tab\there"`,
		"caf\xe9":                     `"caf\xe9"`,
		strings.Repeat("x", 80):       strings.Repeat("x", 80),
		strings.Repeat("x", 81):       `"` + strings.Repeat("x", 80) + `"...`,
		strings.Repeat("é", 41):       `"` + strings.Repeat("é", 40) + `"...`,
		"x" + strings.Repeat("é", 41): `"x` + strings.Repeat("é", 39) + `"...`,
	}
	for in, want := range cases {
		if got := Shown(in); got != want {
			t.Errorf("shown(%.20q) = %q, want %q", in, got, want)
		}
	}
}

// TestEveryClassHasARule: checkClass hands each class but ClassMeta to a
// rule, so none falls through to "cannot be changed by the user".
func TestEveryClassHasARule(t *testing.T) {
	for c := ClassMeta + 1; c.String() != "unknown"; c++ {
		_, msg := checkClass(Prop{Name: "x", Class: c}, "\x00bad", &SetContext{})
		if msg == unchangeable("x") {
			t.Errorf("class %s has no rule", c)
		}
	}
	if _, msg := checkClass(Prop{Name: "x", Class: ClassMeta}, "1", &SetContext{}); msg != unchangeable("x") {
		t.Errorf("ClassMeta: %q", msg)
	}
}
