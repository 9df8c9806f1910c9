package jail

import (
	"slices"
	"strings"
	"testing"

	"github.com/jcage/jcage/defaults"
)

// The freebsd/iocage fork's truthy_props, verbatim.
var forkTruthy = strings.Fields(`bpf template host_time basejail dhcp vnet rtsold jail_zfs
	hostid_strict_check boot exec_clean mount_linprocfs mount_procfs allow_vmm allow_tun
	allow_socket_af allow_quotas allow_mount_zfs allow_mount_tmpfs allow_mount_procfs
	allow_mount_nullfs allow_mount_fusefs allow_mount_devfs allow_mount_fdescfs
	allow_mount_linprocfs allow_mount_linsysfs allow_mount allow_mlock allow_chflags
	allow_raw_sockets allow_sysvipc allow_set_hostname allow_nfsd mount_fdescfs mount_devfs
	ip6_saddrsel ip4_saddrsel ip_hostname assign_localhost nat`)

func TestTruthySet(t *testing.T) {
	loadProps()
	var got []string
	for k := range truthyProps {
		got = append(got, k)
	}
	want := slices.Clone(forkTruthy)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("truthy set\n got %v\nwant %v", got, want)
	}
	for _, k := range want {
		if !IsTruthy(k) {
			t.Errorf("IsTruthy(%s) = false", k)
		}
	}
	for _, k := range []string{"priority", "notes", "ip4", "rlimits", "exec_system_jail_user"} {
		if IsTruthy(k) {
			t.Errorf("IsTruthy(%s) = true", k)
		}
	}
}

// TestEveryDefaultKeyKnown: each key of the default set, and each key only
// jails carry, has a table entry; the truthy ones are stored as 0/1 there.
func TestEveryDefaultKeyKnown(t *testing.T) {
	d := defaults.Props()
	for k, v := range d {
		p, ok := Lookup(k)
		if !ok {
			t.Errorf("%s: not in the property table", k)
			continue
		}
		if p.Has(JailOnly) || p.Has(Pseudo) {
			t.Errorf("%s is in defaults.json but flagged %b", k, p.Flags)
		}
		_, isNum := v.(interface{ Int64() (int64, error) })
		if IsTruthy(k) != isNum {
			t.Errorf("%s: truthy %v but stored as %T", k, IsTruthy(k), v)
		}
	}
	for _, k := range PropsWith(JailOnly) {
		if _, ok := d[k]; ok {
			t.Errorf("%s is JailOnly but in defaults.json", k)
		}
	}
	for _, p := range Props() {
		if _, inDefaults := d[p.Name]; !inDefaults && !p.Has(JailOnly) && !p.Has(Pseudo) {
			t.Errorf("%s: neither in defaults.json nor JailOnly/Pseudo", p.Name)
		}
		if p.Class.String() == "unknown" {
			t.Errorf("%s: class without a name", p.Name)
		}
	}
}

func TestCategories(t *testing.T) {
	cases := map[Flag][]string{
		DefaultOnly: {"nat_backend", "nat_interface", "nat_prefix"},
		JailOnly:    {"CONFIG_TYPE", "cloned_release", "host_hostname", "host_hostuuid", "jail_zfs_dataset", "release", "source_template"},
		ZFS:         {"available", "compression", "compressratio", "dedup", "mountpoint", "origin", "quota", "reservation", "used"},
		Stopped:     {"dhcp", "jail_zfs", "jail_zfs_dataset", "jail_zfs_mountpoint"},
		Restart:     {"cpuset", "vnet"},
		Special:     {"template"},
		Pseudo:      {"jid", "state"},
		ReadOnly: {"CONFIG_TYPE", "CONFIG_VERSION", "available", "basejail", "cloned_release", "compressratio",
			"count", "host_hostuuid", "jid", "last_started", "mountpoint", "origin", "release", "source_template",
			"state", "sync_state", "sync_target", "sync_tgt_zpool", "type", "used"},
	}
	for f, want := range cases {
		if got := PropsWith(f); !slices.Equal(got, want) {
			t.Errorf("flag %b:\n got %v\nwant %v", f, got, want)
		}
	}
	if got := PropsWith(RCTL); len(got) != 25 || !slices.Contains(got, "memoryuse") || !slices.Contains(got, "writeiops") {
		t.Errorf("RCTL props %v", got)
	}
	if RestartNotice("cpuset") != "cpuset changes require a jail restart" {
		t.Error("RestartNotice")
	}
}

func TestLiveParams(t *testing.T) {
	live := map[string]string{
		"allow_raw_sockets":    "allow.raw_sockets",
		"allow_socket_af":      "allow.socket_af",
		"allow_set_hostname":   "allow.set_hostname",
		"allow_mount_zfs":      "allow.mount.zfs",
		"allow_mount_linsysfs": "allow.mount.linsysfs",
		"allow_nfsd":           "allow.nfsd",
		"allow_sysvipc":        "allow.sysvipc",
		"children_max":         "children.max",
		"host_hostname":        "host.hostname",
		"host_domainname":      "host.domainname",
		"ip4_addr":             "ip4.addr",
		"ip6_saddrsel":         "ip6.saddrsel",
		"ip4":                  "ip4",
		"securelevel":          "securelevel",
		"sysvshm":              "sysvshm",
	}
	for k, want := range live {
		if got, ok := LiveParam(k); !ok || got != want {
			t.Errorf("LiveParam(%s) = %q, %v, want %q", k, got, ok, want)
		}
	}
	for _, k := range []string{"devfs_ruleset", "enforce_statfs", "exec_clean", "allow_tun", "vnet", "cpuset",
		"memoryuse", "mount_devfs", "exec_fib", "ip_hostname", "nonsense"} {
		if p, ok := LiveParam(k); ok {
			t.Errorf("LiveParam(%s) = %q, want none", k, p)
		}
	}
}
