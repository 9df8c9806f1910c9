package defaults

import (
	"bytes"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// Version is the CONFIG_VERSION that defaults.json describes.
const Version = 34

// MinVersion is the oldest CONFIG_VERSION whose default set ForVersion can
// produce: iocage 1.2, the last upstream release, writes 29.
const MinVersion = 29

// JSON is defaults.json byte for byte as iocage writes it, with the
// host-computed values left as placeholders (see HostComputed).
//
//go:embed defaults.json
var JSON []byte

// RCConf is default_rc.conf, the rc.conf template iocage keeps at
// IOCROOT/default_rc.conf.
//
//go:embed default_rc.conf
var RCConf []byte

// HostComputed lists the keys whose value Build takes from Host rather than
// from the data file.
var HostComputed = []string{"hostid", "mac_prefix"}

// Props returns a fresh copy of the CONFIG_VERSION 34 default set. Strings
// are string, the 0/1 integers are json.Number, and hostid is nil.
func Props() map[string]any {
	m, err := decode(JSON)
	if err != nil {
		// The file is embedded and covered by tests; a failure here is a
		// broken build, not a runtime condition.
		panic("defaults: embedded defaults.json: " + err.Error())
	}
	return m
}

func decode(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// ForVersion returns the default set iocage writes at CONFIG_VERSION v, for
// 29 <= v <= 34. The versions differ only where the freebsd/iocage fork
// changed a default or added a property:
//
//	30 added allow_mount_linprocfs (and the fork's compression default "on";
//	   iocage 1.2 wrote "lz4")
//	31 added allow_nfsd
//	32 added allow_mount_linsysfs
//	33 changed vnet_default_interface from "auto" to "none"
//	34 changed host_domainname from "none" to ""
func ForVersion(v int) (map[string]any, error) {
	if v < MinVersion || v > Version {
		return nil, fmt.Errorf("no default property set for CONFIG_VERSION %d (known: %d to %d)", v, MinVersion, Version)
	}
	m := Props()
	m["CONFIG_VERSION"] = strconv.Itoa(v)
	if v < 34 {
		m["host_domainname"] = "none"
	}
	if v < 33 {
		m["vnet_default_interface"] = "auto"
	}
	if v < 32 {
		delete(m, "allow_mount_linsysfs")
	}
	if v < 31 {
		delete(m, "allow_nfsd")
	}
	if v < 30 {
		delete(m, "allow_mount_linprocfs")
		m["compression"] = "lz4"
	}
	return m, nil
}

// Host carries the default values that are computed on the host.
type Host struct {
	// HostID is the trimmed content of /etc/hostid; nil when the file could
	// not be read, which iocage stores as JSON null.
	HostID *string
	// MACPrefix is six hex digits, normally MACPrefixFromMAC of the
	// default-route NIC. Empty means none is known: Build then draws a random
	// prefix, as iocage does for a host without a default gateway. An invalid
	// prefix is repaired with FixMACPrefix.
	MACPrefix string
}

// Build returns the default set for CONFIG_VERSION v with the host-computed
// values filled in from h.
func Build(v int, h Host) (map[string]any, error) {
	m, err := ForVersion(v)
	if err != nil {
		return nil, err
	}
	if h.HostID != nil {
		m["hostid"] = *h.HostID
	} else {
		m["hostid"] = nil
	}
	prefix := h.MACPrefix
	if prefix == "" {
		if prefix, err = RandomMACPrefix(); err != nil {
			return nil, err
		}
	}
	fixed, err := FixMACPrefix(prefix)
	if err != nil {
		return nil, err
	}
	m["mac_prefix"] = fixed
	return m, nil
}

// ReadHostID returns the trimmed content of the hostid file (normally
// /etc/hostid), or nil when it cannot be read.
func ReadHostID(path string) *string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := strings.TrimSpace(string(b))
	return &s
}

// MACPrefixFromMAC returns the prefix iocage derives from a NIC's hardware
// address: its first three octets, made unicast and locally administered.
func MACPrefixFromMAC(hw net.HardwareAddr) (string, error) {
	if len(hw) < 3 {
		return "", fmt.Errorf("hardware address %q is too short for a MAC prefix", hw.String())
	}
	return FixMACPrefix(hex.EncodeToString(hw[:3]))
}

// RandomMACPrefix returns a random unicast, locally administered prefix.
func RandomMACPrefix() (string, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate MAC prefix: %w", err)
	}
	return FixMACPrefix(hex.EncodeToString(b[:]))
}

// ValidMACPrefix reports whether p is six hex digits whose first octet has
// the multicast bit clear and the locally-administered bit set, so that the
// second digit is one of 2, 6, A or E. Bridges do not learn multicast
// source addresses, and a locally administered address cannot collide with
// a vendor's.
func ValidMACPrefix(p string) bool {
	b, ok := prefixBytes(p)
	return ok && b[0]&0x03 == 0x02
}

// FixMACPrefix returns p with the multicast bit cleared and the
// locally-administered bit set, lower-cased. p must be six hex digits.
func FixMACPrefix(p string) (string, error) {
	b, ok := prefixBytes(p)
	if !ok {
		return "", fmt.Errorf("MAC prefix %q is not six hex digits", p)
	}
	b[0] = b[0]&^0x01 | 0x02
	return hex.EncodeToString(b[:]), nil
}

func prefixBytes(p string) ([3]byte, bool) {
	var b [3]byte
	if len(p) != 6 {
		return b, false
	}
	if _, err := hex.Decode(b[:], []byte(p)); err != nil {
		return b, false
	}
	return b, true
}
