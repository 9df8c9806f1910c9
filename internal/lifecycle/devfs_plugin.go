package lifecycle

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/inventory"
	"github.com/jcage/jcage/internal/jail"
	"github.com/jcage/jcage/internal/lazyregexp"
	"github.com/jcage/jcage/internal/plan"
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

// pluginManifest reads a pluginv2 jail's manifest through
// h.Manifests, checked, its devfs includes resolved to numbers; nil
// for other jails. The start loads its kernel modules.
func (h *Host) pluginManifest(j *inventory.Jail, p *config.Config) (*jail.PluginStart, error) {
	if t, _ := p.Get("type"); t != "pluginv2" {
		return nil, nil
	}
	ps, err := h.Manifests.PluginStart(j)
	if err != nil || ps == nil {
		return nil, err
	}
	if err := plan.CheckPluginStart(ps); err != nil {
		return nil, fmt.Errorf("%s: %w", j.Name, err)
	}
	// devfs(8) takes ruleset numbers; the $names are devfs.rules' own
	// (rc.d/devfs resolves them), so jcage resolves them the same way.
	// iocage passes the names through, and devfs refuses each such rule.
	names := devfsRulesetNames()
	var incs []string
	for _, inc := range ps.Includes {
		if plan.DevfsSkipIncludes[inc] {
			continue
		}
		if n, ok := names[strings.TrimPrefix(inc, "$")]; ok {
			incs = append(incs, n)
		}
	}
	ps.Includes = incs
	return ps, nil
}
