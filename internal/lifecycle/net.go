package lifecycle

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// The NAT rule files iocage keeps in /tmp, and the NAT addresses: the
// host-side state a NAT jail's start shares with every other NAT jail.

// natForward is one nat_forwards rule: proto(port) or proto(jail:host).
type natForward struct {
	Proto, Port, Map string
}

func parseNATForwards(s string) []natForward {
	if s == "" || s == "none" {
		return nil
	}
	var out []natForward
	for _, f := range strings.Split(s, ",") {
		proto, port, _ := strings.Cut(f, "(")
		port = strings.Trim(port, "()")
		m := port
		if i := strings.LastIndexByte(port, ':'); i >= 0 {
			port, m = port[:i], port[i+1:]
		}
		out = append(out, natForward{Proto: proto, Port: port, Map: m})
	}
	return out
}

// natHostPorts are the host ports a nat_forwards value claims (the last
// number of each rule, as iocage compares them).
func natHostPorts(s string) []int {
	var out []int
	for _, f := range parseNATForwards(s) {
		m := f.Map
		if i := strings.LastIndexAny(m, "-"); i >= 0 {
			m = m[i+1:]
		}
		if n, err := strconv.Atoi(m); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// natAddr is the jail's address behind NAT: the part of ip4_addr after
// "iface|" and before the mask.
func natAddr(ip4 string) string {
	_, a, _ := strings.Cut(ip4, "|")
	a, _, _ = strings.Cut(a, "/")
	return a
}

func natNetwork(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is4() {
		return addr + "/24"
	}
	p, _ := a.Prefix(24)
	return p.String()
}

// NATPFRules is iocage's /tmp/iocage_nat_pf.conf after adding a jail:
// the nat rule, the rdr rules of other jails kept from existing, then the
// jail's own forwards.
func NATPFRules(existing, iface, ip4, forwards string) string {
	addr := natAddr(ip4)
	rules := []string{fmt.Sprintf("nat on %s from %s to any -> (%s:0) static-port", iface, natNetwork(addr), iface)}
	for _, line := range strings.Split(existing, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if strings.HasPrefix(line, "rdr") && !strings.Contains(line, addr) {
			rules = append(rules, line)
		}
	}
	for _, f := range parseNATForwards(forwards) {
		// pf writes port ranges with a colon.
		port := strings.ReplaceAll(f.Port, "-", ":")
		m := strings.ReplaceAll(f.Map, "-", ":")
		rules = append(rules, fmt.Sprintf("rdr pass on %s inet proto %s from any to (%s:0) port %s -> %s port %s",
			iface, f.Proto, iface, m, addr, port))
	}
	return strings.Join(rules, "\n") + "\n"
}

// NATIPFWRules is iocage's /tmp/iocage_nat_ipfw.conf after adding a jail:
// a flush, the nat 462 configuration with every jail's redirects, and the
// two rules that divert traffic through it.
func NATIPFWRules(existing, iface, ip4, forwards string) string {
	addr := natAddr(ip4)
	natRule := fmt.Sprintf("ipfw -q nat 462 config if %s same_ports", iface)
	var rdrs string
	for _, f := range parseNATForwards(forwards) {
		rdrs += fmt.Sprintf(" redirect_port %s %s:%s %s", f.Proto, addr, f.Port, f.Map)
	}
	rules := []string{
		"ipfw -q flush",
		fmt.Sprintf("ipfw -q add 100 nat 462 ip4 from %s to any out via %s", natNetwork(addr), iface),
		fmt.Sprintf("ipfw -q add 101 nat 462 ip4 from any to any in via %s", iface),
	}
	base := append([]string(nil), rules...)
	inserted := false
	for _, line := range strings.Split(existing, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if containsString(base, line) || !strings.Contains(line, natRule) {
			continue
		}
		final := natRule
		for _, part := range strings.Split(line, "redirect_port ") {
			part = strings.TrimSpace(part)
			if part == "" || strings.Contains(part, "nat") || strings.Contains(part, addr) {
				continue
			}
			final += " redirect_port " + part
		}
		rules = append(rules[:1], append([]string{final + rdrs}, rules[1:]...)...)
		inserted = true
	}
	if !inserted {
		rules = append(rules[:1], append([]string{natRule + rdrs}, rules[1:]...)...)
	}
	return strings.Join(rules, "\n") + "\n"
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// NATPair is iocage's gen_nat_ip: the first /30 of PREFIX.i.j whose two
// host addresses are both unused.
func NATPair(prefix string, used map[string]bool) (host1, host2 string, err error) {
	for i := 0; i < 256; i++ {
		for j := 1; j < 256; j += 4 {
			a := fmt.Sprintf("%s.%d.%d", prefix, i, j)
			b := fmt.Sprintf("%s.%d.%d", prefix, i, j+1)
			if !used[a] && !used[b] {
				return a, b, nil
			}
		}
	}
	return "", "", fmt.Errorf("An unused RFC1918 compliant address could not be allocated. Please set an unused nat_prefix.")
}
