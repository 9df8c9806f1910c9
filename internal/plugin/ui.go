package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// UI is an artifact's ui.json: where the plugin's web interface is.
type UI struct {
	AdminPortal  string            `json:"adminportal"`
	Placeholders map[string]string `json:"adminportal_placeholders"`
	DocURL       *string           `json:"docurl"`
}

// ParseUI decodes ui.json.
func ParseUI(b []byte) (*UI, error) {
	var u UI
	if err := json.Unmarshal(b, &u); err != nil {
		return nil, fmt.Errorf("ui.json: %w", err)
	}
	return &u, nil
}

// Settings is an artifact's settings.json: the programs get -P and set -P
// run inside the jail, and the options they accept.
type Settings struct {
	ServiceGet     string                    `json:"serviceget"`
	ServiceSet     string                    `json:"serviceset"`
	ServiceRestart string                    `json:"servicerestart"`
	Options        map[string]SettingsOption `json:"options"`
	raw            map[string]any
}

// SettingsOption describes one option of settings.json.
type SettingsOption struct {
	Type           string `json:"type"`
	Name           string `json:"name"`
	Description    string `json:"description"`
	ReadOnly       bool   `json:"readonly"`
	RequireRestart bool   `json:"requirerestart"`
}

// ParseSettings decodes settings.json.
func ParseSettings(b []byte) (*Settings, error) {
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("settings.json: %w", err)
	}
	if err := json.Unmarshal(b, &s.raw); err != nil {
		return nil, fmt.Errorf("settings.json: %w", err)
	}
	return &s, nil
}

// ErrNoKey is a dotted key settings.json does not have.
var ErrNoKey = errors.New("not found")

// Nested returns the value under a dotted key ("options.port.type"), as
// iocage's get_nested_key does for get -P with a dot.
func (s *Settings) Nested(path []string) (any, error) {
	var cur any = s.raw
	for _, k := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, ErrNoKey
		}
		if cur, ok = m[k]; !ok {
			return nil, ErrNoKey
		}
	}
	return cur, nil
}

// Raw is settings.json as decoded.
func (s *Settings) Raw() map[string]any { return s.raw }

// Argv splits one of settings.json's commands for jexec, with extra
// arguments, as iocage does (f"{serviceget},{prop}".split(",")).
func Argv(cmd string, args ...string) []string {
	out := strings.Split(cmd, ",")
	out = append(out, args...)
	return out
}

// PortalAddrs are the addresses an admin portal is offered on, as
// ioc_common.retrieve_admin_portals finds them without nat: the
// addresses of ip4 ("iface|addr/len,..."), "DHCP" for a DHCP entry.
func PortalAddrs(ip4 string) []string {
	var out []string
	for _, e := range strings.Split(ip4, ",") {
		if i := strings.LastIndex(e, "|"); i >= 0 {
			e = e[i+1:]
		}
		e, _, _ = strings.Cut(e, "/")
		e = strings.TrimSpace(e)
		if strings.Contains(strings.ToLower(e), "dhcp") {
			e = "DHCP"
		}
		out = append(out, e)
	}
	return out
}

// AdminPortals renders ui.json's adminportal for a jail: each
// comma-separated portal with %%IP%% replaced by each address. With nat,
// a portal's port is replaced by the host port nat_forwards maps it to.
func AdminPortals(portal string, addrs []string, nat bool, natForwards string) string {
	forwards := map[int]int{}
	if nat && natForwards != "" && natForwards != "none" {
		for _, rule := range strings.Split(natForwards, ",") {
			if _, err := strconv.Atoi(rule); err != nil {
				if i := strings.LastIndex(rule, "("); i >= 0 {
					rule = rule[i+1:]
				}
				rule = strings.TrimRight(rule, ")")
			}
			jp, hp, ok := strings.Cut(rule, ":")
			if !ok {
				hp = jp
			}
			j, err1 := strconv.Atoi(jp)
			h, err2 := strconv.Atoi(hp)
			if err1 == nil && err2 == nil {
				forwards[j] = h
			}
		}
	}
	var portals []string
	for _, p := range strings.Split(portal, ",") {
		uri := p
		if nat {
			// urllib.parse: the netloc is what follows "//" up to the next
			// "/"; its port, or 80, is looked up in nat_forwards.
			if scheme, rest, ok := strings.Cut(p, "://"); ok {
				netloc, path := rest, ""
				if i := strings.Index(rest, "/"); i >= 0 {
					netloc, path = rest[:i], rest[i:]
				}
				hostname, port := netloc, 80
				if i := strings.LastIndex(netloc, ":"); i >= 0 {
					if n, err := strconv.Atoi(netloc[i+1:]); err == nil {
						hostname, port = netloc[:i], n
					}
				}
				if hp, ok := forwards[port]; ok {
					uri = scheme + "://" + hostname + ":" + strconv.Itoa(hp) + path
				}
			}
		}
		var each []string
		for _, a := range addrs {
			each = append(each, strings.ReplaceAll(uri, "%%IP%%", a))
		}
		portals = append(portals, strings.Join(each, ","))
	}
	return strings.Join(portals, ",")
}
