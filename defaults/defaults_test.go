package defaults

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJSONShape(t *testing.T) {
	if bytes.HasSuffix(JSON, []byte("\n")) {
		t.Error("defaults.json must not end in a newline (iocage's json.dump writes none)")
	}
	if !bytes.HasPrefix(JSON, []byte("{\n    \"CONFIG_VERSION\": \"34\",\n")) {
		t.Errorf("defaults.json does not start in iocage's format: %q", JSON[:40])
	}
	m := Props()
	if len(m) != 140 {
		t.Errorf("default set has %d keys, want 140", len(m))
	}
	for k, v := range m {
		switch v := v.(type) {
		case string:
		case json.Number:
			if v != "0" && v != "1" {
				t.Errorf("%s: integer %s, want 0 or 1", k, v)
			}
		case nil:
			if k != "hostid" {
				t.Errorf("%s: null value", k)
			}
		default:
			t.Errorf("%s: unexpected %T", k, v)
		}
	}
	// Spot checks against the fork's retrieve_default_props.
	want := map[string]any{
		"host_domainname":        "",
		"vnet_default_interface": "none",
		"compression":            "on",
		"allow_nfsd":             json.Number("0"),
		"allow_mount_linsysfs":   json.Number("0"),
		"allow_set_hostname":     json.Number("1"),
		"ip4_saddrsel":           json.Number("1"),
		"devfs_ruleset":          "4",
		"priority":               "99",
		"mac_prefix":             "",
		"hostid":                 nil,
		"memoryuse":              "off",
		"nat_prefix":             "172.16",
	}
	for k, v := range want {
		if got, ok := m[k]; !ok || got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
}

func TestPropsIsACopy(t *testing.T) {
	a := Props()
	a["notes"] = "changed"
	if Props()["notes"] != "none" {
		t.Fatal("Props shares state between calls")
	}
}

func TestForVersion(t *testing.T) {
	v29, err := ForVersion(29)
	if err != nil {
		t.Fatal(err)
	}
	if v29["CONFIG_VERSION"] != "29" || v29["host_domainname"] != "none" ||
		v29["vnet_default_interface"] != "auto" || v29["compression"] != "lz4" {
		t.Errorf("v29 set wrong: %v %v %v %v", v29["CONFIG_VERSION"], v29["host_domainname"], v29["vnet_default_interface"], v29["compression"])
	}
	for _, k := range []string{"allow_nfsd", "allow_mount_linsysfs", "allow_mount_linprocfs"} {
		if _, ok := v29[k]; ok {
			t.Errorf("v29 set has %s", k)
		}
	}
	if _, ok := v29["allow_mount_fdescfs"]; !ok {
		t.Error("v29 set lacks allow_mount_fdescfs (added by migration 29)")
	}
	v32, _ := ForVersion(32)
	if _, ok := v32["allow_mount_linsysfs"]; !ok || v32["vnet_default_interface"] != "auto" || v32["host_domainname"] != "none" {
		t.Errorf("v32 set wrong")
	}
	v33, _ := ForVersion(33)
	if v33["vnet_default_interface"] != "none" || v33["host_domainname"] != "none" {
		t.Errorf("v33 set wrong")
	}
	v34, _ := ForVersion(34)
	if len(v34) != 140 || v34["CONFIG_VERSION"] != "34" {
		t.Errorf("v34 set wrong")
	}
	for _, bad := range []int{0, 28, 35} {
		if _, err := ForVersion(bad); err == nil {
			t.Errorf("ForVersion(%d) succeeded", bad)
		}
	}
}

func TestBuild(t *testing.T) {
	id := "8e7f3b2a-1c4d-11ee-9a55-0cc47a123456"
	m, err := Build(34, Host{HostID: &id, MACPrefix: "0cc47a"})
	if err != nil {
		t.Fatal(err)
	}
	if m["hostid"] != id {
		t.Errorf("hostid = %v", m["hostid"])
	}
	if m["mac_prefix"] != "0ec47a" {
		t.Errorf("mac_prefix = %v, want 0ec47a", m["mac_prefix"])
	}
	m, err = Build(29, Host{})
	if err != nil {
		t.Fatal(err)
	}
	if m["hostid"] != nil {
		t.Errorf("hostid = %v, want nil", m["hostid"])
	}
	if p, _ := m["mac_prefix"].(string); !ValidMACPrefix(p) {
		t.Errorf("random mac_prefix %q invalid", p)
	}
	if _, err := Build(34, Host{MACPrefix: "xyz"}); err == nil {
		t.Error("Build accepted a malformed MAC prefix")
	}
}

func TestMACPrefix(t *testing.T) {
	valid := []string{"02ff60", "0E1234", "a6beef", "fa0000", "2a0000"}
	for _, p := range valid {
		if !ValidMACPrefix(p) {
			t.Errorf("ValidMACPrefix(%q) = false", p)
		}
	}
	invalid := []string{"", "02ff6", "02ff600", "01ff60", "03ff60", "00ff60", "0gff60", "0x1234", "b9ab00"}
	for _, p := range invalid {
		if ValidMACPrefix(p) {
			t.Errorf("ValidMACPrefix(%q) = true", p)
		}
	}
	hw, _ := net.ParseMAC("01:25:90:aa:bb:cc")
	if p, err := MACPrefixFromMAC(hw); err != nil || p != "022590" {
		t.Errorf("MACPrefixFromMAC = %q, %v", p, err)
	}
	if _, err := MACPrefixFromMAC(net.HardwareAddr{1}); err == nil {
		t.Error("short hardware address accepted")
	}
	for range 50 {
		p, err := RandomMACPrefix()
		if err != nil || !ValidMACPrefix(p) {
			t.Fatalf("RandomMACPrefix = %q, %v", p, err)
		}
	}
}

func TestReadHostID(t *testing.T) {
	dir := t.TempDir()
	if ReadHostID(filepath.Join(dir, "missing")) != nil {
		t.Error("missing hostid file gave a value")
	}
	p := filepath.Join(dir, "hostid")
	if err := os.WriteFile(p, []byte("8e7f3b2a-1c4d-11ee-9a55-0cc47a123456\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := ReadHostID(p); got == nil || *got != "8e7f3b2a-1c4d-11ee-9a55-0cc47a123456" {
		t.Errorf("ReadHostID = %v", got)
	}
}

func TestRCConf(t *testing.T) {
	s := string(RCConf)
	if !strings.HasPrefix(s, "cron_flags=\"$cron_flags -J 15\"\n\n# Disable Sendmail by default\n") ||
		!strings.HasSuffix(s, "# Enable IPv6\nipv6_activate_all_interfaces=\"YES\"\n") {
		t.Errorf("default_rc.conf differs from iocage's:\n%s", s)
	}
	if strings.Count(s, "\n") != 13 {
		t.Errorf("default_rc.conf has %d lines, want 13", strings.Count(s, "\n"))
	}
}
