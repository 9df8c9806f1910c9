package jail

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/lazyregexp"
)

// devfsRulesFiles are where devfs.rules(5) names its rulesets; the
// defaults are FreeBSD's /etc/defaults/devfs.rules (13 to 15).
var devfsRulesFiles = []string{"/etc/defaults/devfs.rules", "/etc/devfs.rules"}

var devfsRulesetHeader = lazyregexp.New(`^\[([A-Za-z0-9_]+)=([0-9]+)\]`)

// devfsRulesetNames maps each ruleset name of devfs.rules to its number.
func devfsRulesetNames() map[string]string {
	names := map[string]string{"devfsrules_hide_all": "1", "devfsrules_unhide_basic": "2",
		"devfsrules_unhide_login": "3", "devfsrules_jail": "4", "devfsrules_jail_vnet": "5"}
	for _, f := range devfsRulesFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if m := devfsRulesetHeader.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
				if _, err := strconv.Atoi(m[2]); err == nil {
					names[m[1]] = m[2]
				}
			}
		}
	}
	return names
}

// PluginStart is what a pluginv2 jail's manifest asks of every start:
// devices its generated devfs ruleset unhides (a mode of "" means
// "unhide"), rulesets it includes, and kernel modules loaded first.
type PluginStart struct {
	Paths    [][2]string // path, mode, in the manifest's order
	Includes []string
	Kmods    []string
}

// devfsSkipIncludes are already part of iocage's generated ruleset.
var devfsSkipIncludes = map[string]bool{"$devfsrules_hide_all": true, "$devfsrules_unhide_basic": true, "$devfsrules_unhide_login": true}

// PluginDevfsRules is ioc_common.generate_devfs_ruleset with a plugin's
// paths and includes: the includes first, then iocage's default rules
// with the plugin's paths merged in (a path already there takes the
// plugin's mode in its place; a new one is appended), then fuse, bpf*
// and tun* as the properties ask.
func PluginDevfsRules(p *Config, ps *PluginStart) []string {
	var rules []string
	for _, inc := range ps.Includes {
		if !devfsSkipIncludes[inc] {
			rules = append(rules, "include "+inc)
		}
	}
	type entry struct{ path, mode string }
	entries := []entry{{"hide", ""}}
	for _, d := range devfsUnhidden {
		entries = append(entries, entry{d, ""})
	}
	set := func(path, mode string) {
		for i := range entries {
			if entries[i].path == path {
				entries[i].mode = mode
				return
			}
		}
		entries = append(entries, entry{path, mode})
	}
	for _, pm := range ps.Paths {
		set(pm[0], pm[1])
	}
	if p.Bool("allow_mount_fusefs") {
		set("fuse", "")
	}
	if p.Bool("bpf") {
		set("bpf*", "")
	}
	if p.Bool("allow_tun") {
		set("tun*", "")
	}
	for _, e := range entries {
		switch {
		case e.path == "hide":
			rules = append(rules, "hide")
		case e.mode == "":
			rules = append(rules, "path "+e.path+" unhide")
		default:
			rules = append(rules, "path "+e.path+" "+e.mode)
		}
	}
	return rules
}

// CheckPluginStart refuses manifest values that are not one devfs rule
// word or module name: they are fed to devfs(8) one rule per line.
func CheckPluginStart(ps *PluginStart) error {
	bad := func(s string) bool { return s == "" || strings.ContainsAny(s, "\n\r\x00#") }
	for _, pm := range ps.Paths {
		if bad(pm[0]) || strings.ContainsAny(pm[0], " \t") || strings.ContainsAny(pm[1], "\n\r\x00#") {
			return fmt.Errorf("plugin manifest: devfs path %q is not a device path", pm[0])
		}
	}
	for _, inc := range ps.Includes {
		if _, err := strconv.Atoi(inc); err == nil {
			continue
		}
		if bad(inc) || !strings.HasPrefix(inc, "$") || strings.ContainsAny(inc, " \t") {
			return fmt.Errorf("plugin manifest: devfs include %q is not a ruleset name", inc)
		}
	}
	for _, k := range ps.Kmods {
		if bad(k) || strings.HasPrefix(k, "-") || strings.ContainsAny(k, " \t/") {
			return fmt.Errorf("plugin manifest: kernel module %q is not a module name", k)
		}
	}
	return nil
}

// pluginStart reads a pluginv2 jail's manifest through h.PluginManifest
// and loads its kernel modules (kldload -n); nil for other jails.
func (h *Host) pluginStart(ctx context.Context, j *Jail, p *Config) (*PluginStart, error) {
	if h.PluginManifest == nil {
		return nil, nil
	}
	if t, _ := p.Get("type"); t != "pluginv2" {
		return nil, nil
	}
	ps, err := h.PluginManifest(j)
	if err != nil || ps == nil {
		return nil, err
	}
	if err := CheckPluginStart(ps); err != nil {
		return nil, fmt.Errorf("%s: %w", j.Name, err)
	}
	// devfs(8) takes ruleset numbers; the $names are devfs.rules' own
	// (rc.d/devfs resolves them), so jcage resolves them the same way.
	// iocage passes the names through, and devfs refuses each such rule.
	names := devfsRulesetNames()
	var incs []string
	for _, inc := range ps.Includes {
		if devfsSkipIncludes[inc] {
			continue
		}
		if n, ok := names[strings.TrimPrefix(inc, "$")]; ok {
			incs = append(incs, n)
		}
	}
	ps.Includes = incs
	for _, k := range ps.Kmods {
		if _, err := h.Run.Run(ctx, KldloadCmd(k)); err != nil {
			return nil, fmt.Errorf("%s: kldload %s: %w", j.Name, k, err)
		}
	}
	return ps, nil
}
