package plan

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The stop takes down what the start set up: for every start case, the
// host NICs the start named, the datasets it handed to the jail and the
// file systems it mounted are exactly those its stop destroys, takes back
// and unmounts.
func TestStopUndoesStart(t *testing.T) {
	cases := append([]planCase{
		{name: "vnet-nat", props: map[string]any{"vnet": 1, "nat": 1}},
		{name: "vnet-two-nics", props: map[string]any{"vnet": 1, "interfaces": "vnet0:bridge0,vnet1:bridge0", "ip4_addr": "vnet0|10.0.0.5/24,vnet1|10.1.0.5/24"}},
		{name: "vnet-dhcp-two-nics", props: map[string]any{"vnet": 1, "bpf": 1, "dhcp": 1, "interfaces": "vnet0:bridge0,vnet1:bridge0"}},
		{name: "procfs", props: map[string]any{"mount_procfs": 1, "mount_linprocfs": 1}},
		{name: "vnet-lo0-only", props: map[string]any{"vnet": 1, "ip4_addr": "lo0|127.0.0.2"}},
	}, startCases...)
	named := regexp.MustCompile(`(?m)^ifconfig epair\S+a name (\S+) `)
	destroyed := regexp.MustCompile(`(?m)^ifconfig (\S+) destroy$`)
	jailed := regexp.MustCompile(`(?m)^zfs jail \S+ (\S+)$`)
	unjailed := regexp.MustCompile(`(?m)^zfs unjail \S+ (\S+)$`)
	mounted := regexp.MustCompile(`(?m)^mount -t \S+ \S+ (\S+)$`)
	for _, pc := range cases {
		// The stop is planned from the properties the start stored.
		in := planInput(t, pc)
		start := drive(in, Start, planHost(pc))
		if strings.Contains("\n"+start, "\nfail ") || strings.Contains(start, "\n\tfailed: ") {
			continue
		}
		for _, s := range regexp.MustCompile(`(?m)^do store (\w+)=(.*)$`).FindAllStringSubmatch(start, -1) {
			in.Props.Set(s[1], s[2])
		}
		sin := planInput(t, pc)
		sin.Props = in.Props
		stop := drive(sin, Stop, planHost(planCase{}))
		umounts := map[string]bool{}
		for _, c := range UmountCmds(sin.Dir, sin.Root) {
			umounts[c.Args[len(c.Args)-1]] = true
		}
		for _, m := range all(mounted, start) {
			if !umounts[m] {
				t.Errorf("%s: the start mounts %s, the stop never unmounts it", pc.name, m)
			}
		}
		if a, b := all(named, start), all(destroyed, stop); strings.Join(a, " ") != strings.Join(b, " ") {
			t.Errorf("%s: the start makes NICs %q, the stop destroys %q", pc.name, a, b)
		}
		if a, b := all(jailed, start), all(unjailed, stop); strings.Join(a, " ") != strings.Join(b, " ") {
			t.Errorf("%s: the start hands over %q, the stop takes back %q", pc.name, a, b)
		}
	}
}

func all(re *regexp.Regexp, s string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}
