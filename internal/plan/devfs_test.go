package plan

import (
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/testworld/fixture"
)

// A plugin's devfs paths and includes, merged into iocage's generated
// ruleset as generate_devfs_ruleset merges them.
func TestPluginDevfsRules(t *testing.T) {
	p := fixture.Effective(t, "plex", map[string]any{"bpf": 1, "type": "pluginv2"})
	rules := PluginDevfsRules(p, &PluginStart{
		Paths:    [][2]string{{"dri*", ""}, {"zfs", "hide"}, {"usb/*", "mode 0660 group operator"}},
		Includes: []string{"$devfsrules_unhide_basic", "$devfsrules_jail_vnet"},
	})
	want := []string{"include $devfsrules_jail_vnet", "hide"}
	for _, d := range devfsUnhidden {
		if d == "zfs" {
			want = append(want, "path zfs hide")
			continue
		}
		want = append(want, "path "+d+" unhide")
	}
	want = append(want, "path dri* unhide", "path usb/* mode 0660 group operator", "path bpf* unhide")
	if strings.Join(rules, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(rules, "\n"), strings.Join(want, "\n"))
	}
	for _, bad := range []*PluginStart{
		{Paths: [][2]string{{"bpf*\nadd path mem unhide", ""}}},
		{Paths: [][2]string{{"x", "unhide\npath mem unhide"}}},
		{Includes: []string{"devfsrules_jail"}},
		{Kmods: []string{"-v"}},
	} {
		if CheckPluginStart(bad) == nil {
			t.Fatalf("accepted %+v", bad)
		}
	}
}
