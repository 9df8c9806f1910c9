package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/config"
)

// IocageDevfsRuleset is the devfs_ruleset value that asks iocage for a
// generated ruleset: 4 is a marker here, not ruleset 4 of devfs.rules.
const IocageDevfsRuleset = "4"

// devfsUnhidden are the paths iocage's generated ruleset unhides, in its
// order: devfsrules_unhide_basic, devfsrules_unhide_login and zfs.
var devfsUnhidden = []string{
	"null", "zero", "crypto", "random", "urandom",
	"ptyp*", "ptyq*", "ptyr*", "ptys*", "ptyP*", "ptyQ*", "ptyR*", "ptyS*",
	"ptyl*", "ptym*", "ptyn*", "ptyo*", "ptyL*", "ptyM*", "ptyN*", "ptyO*",
	"ttyp*", "ttyq*", "ttyr*", "ttys*", "ttyP*", "ttyQ*", "ttyR*", "ttyS*",
	"ttyl*", "ttym*", "ttyn*", "ttyo*", "ttyL*", "ttyM*", "ttyN*", "ttyO*",
	"ptmx", "pts", "pts/*", "fd", "fd/*", "stdin", "stdout", "stderr", "zfs",
}

// DefaultDevfsRules are the rules of iocage's generated ruleset for a jail
// (the equivalent of devfsrules_jail plus what its properties need), one
// rulespec per line as `devfs rule add` takes them.
func DefaultDevfsRules(p *config.Config) []string {
	rules := []string{"hide"}
	paths := append([]string(nil), devfsUnhidden...)
	if p.Bool("allow_mount_fusefs") {
		paths = append(paths, "fuse")
	}
	if p.Bool("bpf") {
		paths = append(paths, "bpf*")
	}
	if p.Bool("allow_tun") {
		paths = append(paths, "tun*")
	}
	for _, path := range paths {
		rules = append(rules, "path "+path+" unhide")
	}
	return rules
}

// CloneDevfsRules turns `devfs rule -s N show` output into the rulespecs
// that recreate ruleset N: each line without its rule number.
func CloneDevfsRules(show string) []string {
	var rules []string
	for _, line := range strings.Split(show, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		rules = append(rules, strings.Join(f[1:], " "))
	}
	return rules
}

// Ruleset is the devfs ruleset a start gave its jail.
type Ruleset struct {
	Number     int
	ClonedFrom string // "" for iocage's generated default
}

// Message is what the start prints about the ruleset.
func (r Ruleset) Message() string {
	if r.ClonedFrom == "" {
		return fmt.Sprintf("  + Using devfs_ruleset: %d (iocage generated default)", r.Number)
	}
	return fmt.Sprintf("  + Using devfs_ruleset: %d (cloned from devfs_ruleset %s)", r.Number, r.ClonedFrom)
}

// PluginStart is what a pluginv2 jail's manifest asks of every start:
// devices its generated devfs ruleset unhides (a mode of "" means
// "unhide"), rulesets it includes, and kernel modules loaded first.
type PluginStart struct {
	Paths    [][2]string // path, mode, in the manifest's order
	Includes []string
	Kmods    []string
}

// DevfsSkipIncludes are already part of iocage's generated ruleset.
var DevfsSkipIncludes = map[string]bool{"$devfsrules_hide_all": true, "$devfsrules_unhide_basic": true, "$devfsrules_unhide_login": true}

// PluginDevfsRules is ioc_common.generate_devfs_ruleset with a plugin's
// paths and includes: the includes first, then iocage's default rules
// with the plugin's paths merged in (a path already there takes the
// plugin's mode in its place; a new one is appended), then fuse, bpf*
// and tun* as the properties ask.
func PluginDevfsRules(p *config.Config, ps *PluginStart) []string {
	var rules []string
	for _, inc := range ps.Includes {
		if !DevfsSkipIncludes[inc] {
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
	for _, o := range []struct{ prop, path string }{{"allow_mount_fusefs", "fuse"}, {"bpf", "bpf*"}, {"allow_tun", "tun*"}} {
		if p.Bool(o.prop) {
			set(o.path, "")
		}
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
