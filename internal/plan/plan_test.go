package plan

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/testworld/fixture"
	"github.com/jcage/jcage/internal/testworld/goldenfile"
)

// The start and stop plans as data: each case is a config.json and a
// host, and its golden file holds the plan's steps as the applier meets
// them (queries marked "-> ID", the environment and the undo of each
// step), with the host's answers to the queries given by planHost. A
// change in what a start or a stop does shows as a diff here. The cases
// follow ioc_start.py and ioc_stop.py of the freebsd/iocage fork.

type planCase struct {
	name  string
	host  string         // uname -r; 14.3-RELEASE when empty
	props map[string]any // over a minimal iocage jail
	fail  []string       // command lines (prefixes) and ops that fail
	force bool           // a stop: --force
}

var startCases = []planCase{
	// 1: static IPv4 and SLAAC: the IPv4 default route is still added.
	{name: "vnet-static4-slaac6", props: map[string]any{"vnet": 1, "ip4_addr": "vnet0|10.0.0.5/24", "ip6_addr": "vnet0|accept_rtadv", "defaultrouter": "10.0.0.1"}},
	// 1: DHCP and static IPv6 with a gateway: the IPv6 route is added.
	// 2: and the static IPv6 address is set.
	{name: "vnet-dhcp-static6", props: map[string]any{"vnet": 1, "bpf": 1, "dhcp": 1, "ip6_addr": "vnet0|2001:db8::5/64", "defaultrouter6": "2001:db8::1"}},
	{name: "vnet-dhcp-slaac6", props: map[string]any{"vnet": 1, "bpf": 1, "dhcp": 1, "ip6_addr": "vnet0|accept_rtadv"}},
	// 3: a NIC without a bridge.
	{name: "vnet-bridge-none", props: map[string]any{"vnet": 1, "interfaces": "vnet0:none", "ip4_addr": "vnet0|10.0.0.5/24", "defaultrouter": "none"}},
	// Two NICs; the second NIC's epair fails: the first is wired, the
	// failure reported, the jail stopped.
	{name: "vnet-two-nics-fail", props: map[string]any{"vnet": 1, "interfaces": "vnet0:bridge0,vnet1:bridge0", "ip4_addr": "vnet0|10.0.0.5/24,vnet1|10.1.0.5/24", "vnet1_mac": "bad"},
		fail: []string{"setfib 0 jexec ioc-web ifconfig epair0b 10.0.0.5/24 alias"}},
	// 4: majors only; a 14.2 host starts a 14.3 jail.
	{name: "release-minor-newer", host: "14.2-RELEASE-p1", props: map[string]any{"release": "14.3-RELEASE"}},
	{name: "release-major-newer", host: "14.3-RELEASE", props: map[string]any{"release": "15.0-RELEASE"}},
	// 5: exec_poststart is told JID and JNAME.
	{name: "poststart-env", props: map[string]any{"exec_poststart": "logger started"}},
	// 6: FIB 2's gateway and interface.
	{name: "fib2-auto", props: map[string]any{"vnet": 1, "exec_fib": "2", "ip4_addr": "vnet0|192.168.2.5/24", "defaultrouter": "auto", "vnet_default_interface": "auto"}},
	// 7: the NAT prestart environment, vnet and not.
	{name: "nat-vnet-prestart", props: map[string]any{"vnet": 1, "nat": 1, "nat_backend": "pf", "exec_prestart": "logger pre"}},
	{name: "nat-ipfw", props: map[string]any{"nat": 1, "nat_forwards": "tcp(80:8080)"}, fail: []string{"sysctl net.inet.ip.fw.enable=1"}},
	// 8: the jail keeps running through RCTL, cpuset and procfs failures.
	{name: "rctl-cpuset-fail", props: map[string]any{"memoryuse": "deny=1g", "pcpu": "deny=50", "cpuset": "0-1", "mount_procfs": 1},
		fail: []string{"rctl -a jail:ioc-web:memoryuse:deny=1g", "cpuset", "mount -t procfs"}},
	// 9: lo0|ADDR in a vnet jail's ip4_addr.
	{name: "vnet-lo0", props: map[string]any{"vnet": 1, "ip4_addr": "vnet0|10.0.0.5/24,lo0|127.0.0.2", "defaultrouter": "10.0.0.1"}},
	// assign_localhost and a bare address: the alias fix-up.
	{name: "assign-localhost", props: map[string]any{"ip4_addr": "10.0.0.6/24", "assign_localhost": 1}},
	// jail_zfs: the datasets prepared, handed over and mounted.
	{name: "jail-zfs", props: map[string]any{"jail_zfs": 1}},
	// A cloned devfs ruleset, and jail(8) refusing the jail.
	{name: "clone-ruleset-jail-fails", props: map[string]any{"devfs_ruleset": "5", "exec_prestart": "logger pre"}, fail: []string{"jail -f"}},
}

var stopCases = []planCase{
	{name: "default"},
	{name: "vnet-rctl-zfs", props: map[string]any{"vnet": 1, "ip4_addr": "vnet0|10.0.0.5/24", "memoryuse": "deny=1g", "jail_zfs": 1, "vnet_interfaces": "em1"}},
	{name: "force", force: true, props: map[string]any{"vnet": 1, "ip4_addr": "lo0|127.0.0.2", "exec_prestop": "logger stop"}},
	{name: "prestop-fails", props: map[string]any{"exec_prestop": "logger stop"}, fail: []string{"/bin/sh -c logger stop"}},
	{name: "jail-remove-warns", fail: []string{"jail -q", "jls -j", "mount -p"}},
}

func TestStartPlan(t *testing.T) {
	for _, pc := range startCases {
		t.Run(pc.name, func(t *testing.T) { golden(t, "startplan", pc, Start) })
	}
}

func TestStopPlan(t *testing.T) {
	for _, pc := range stopCases {
		t.Run(pc.name, func(t *testing.T) { golden(t, "stopplan", pc, Stop) })
	}
}

func golden(t *testing.T, dir string, pc planCase, planner func(*Input) *Plan) {
	t.Helper()
	got := drive(planInput(t, pc), planner, planHost(pc))
	path := filepath.Join("testdata", dir, pc.name+".golden")
	if goldenfile.Update() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/plan -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("plan differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// planInput is the jail "web" of pc on the host of planHost.
func planInput(t *testing.T, pc planCase) *Input {
	props := map[string]any{"CONFIG_VERSION": "34", "host_hostuuid": "web", "host_hostname": "web", "release": "14.3-RELEASE", "type": "jail",
		"jail_zfs_dataset": "iocage/jails/web/data", "mac_prefix": "02ff60"}
	for k, v := range pc.props {
		props[k] = v
	}
	c, err := config.ConfigFromMap(props)
	if err != nil {
		t.Fatal(err)
	}
	release := pc.host
	if release == "" {
		release = "14.3-RELEASE"
	}
	return &Input{
		Name: "web", Dir: "/tank/iocage/jails/web", Root: "/tank/iocage/jails/web/root", IOCRoot: "/tank/iocage",
		Props: config.Effective(fixture.Defaults(t), c), Datasets: []string{"tank/iocage/jails/web/data"},
		Release: release, Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Paths: Paths{RunDir: "/var/run", NATDir: "/tmp", Resolv: "/etc/resolv.conf", Localtime: "/etc/localtime", HostID: "/etc/hostid"},
		Force: pc.force, JID: 7, HaveConf: true, FstabDests: []string{"/tank/iocage/jails/web/root/mnt"},
		Answers: Answers{},
	}
}

// planHost answers each command and op as the host of the cases does;
// pc.fail makes those that start with one of its lines fail.
func planHost(pc planCase) func(Step) Answer {
	epairs := 0
	return func(s Step) Answer {
		line := s.Cmd.String()
		if s.Kind == Do {
			line = s.Op.String()
		}
		for _, f := range pc.fail {
			if strings.HasPrefix(line, f) {
				return Answer{Stderr: "failed", Err: fmt.Errorf("%s: failed", line), Code: 1}
			}
		}
		if s.Kind == Do {
			return opAnswer(s.Op)
		}
		if line == "ifconfig epair create" {
			epairs++
			return Answer{Out: fmt.Sprintf("epair%da\n", epairs+2)}
		}
		out, ok := map[string]string{
			"jls -j ioc-web jid":                  "7\n",
			"ifconfig bridge0":                    "bridge0: flags=8843<UP> metric 0 mtu 1500\n\tmember: em0 flags=143<LEARNING>\n",
			"ifconfig em0":                        "em0: flags=8843<UP> metric 0 mtu 1500\n",
			"sysctl kern.racct.enable":            "kern.racct.enable: 1\n",
			"devfs rule -s 5 show":                "100 include 1\n200 path pf unhide\n",
			"jexec ioc-web ifconfig epair0b inet": "epair0b: flags=8843<UP> metric 0 mtu 1500\n\toptions=8<VLAN_MTU>\n\tinet 192.168.1.50 netmask 0xffffff00 broadcast 192.168.1.255\n",
		}[line]
		if !ok && strings.HasPrefix(line, "jls -j") {
			return Answer{Err: errors.New("jls: jail not found"), Code: 1}
		}
		return Answer{Out: out}
	}
}

func opAnswer(op Op) Answer {
	switch o := op.(type) {
	case HostNet:
		n := &Net{Ifaces: ParseIfconfig(fixture.PlanIfconfig), GW4: "10.0.0.1", If4: "em0", GW6: "fe80::1%em0", If6: "em0"}
		if o.FIB == "2" {
			n.GW4, n.If4, n.GW6, n.If6 = "192.168.2.1", "em1", "", ""
		}
		return Answer{Net: n}
	case ReadJailFile:
		return Answer{Err: fs.ErrNotExist}
	case ReserveRuleset:
		return Answer{Number: 1000, OK: true}
	case AllocateNAT:
		return Answer{NAT: [2]string{"172.16.0.1", "172.16.0.2"}}
	case ListDatasets:
		return Answer{OK: true, Datasets: []Dataset{{o.Dataset, "/data"}, {o.Dataset + "/a", "/data/a"}}}
	case RctlRules:
		return Answer{Out: "jail:ioc-web:memoryuse:deny=1073741824\n"}
	case RulesetExists:
		return Answer{OK: true}
	case LiveRuleset:
		return Answer{Number: 1000, OK: true}
	case Executable:
		return Answer{OK: true}
	}
	return Answer{}
}

// drive applies a plan as the applier in internal/jail does, against
// host's answers, and renders every step it meets.
func drive(in *Input, planner func(*Input) *Plan, host func(Step) Answer) string {
	var b strings.Builder
	var failures []Failure
	skip, done := "", 0
	for {
		p := planner(in)
		for _, s := range p.Steps[done:] {
			done++
			if s.Group != "" && s.Group == skip {
				continue
			}
			b.WriteString(render(s))
			ans := Answer{}
			switch s.Kind {
			case Run, Do:
				ans = host(s)
			case Check:
				in.Answers[s.ID] = Answer{Failures: failures}
				failures = nil
				continue
			case Record:
				if s.Fail.Policy == Collect {
					failures = append(failures, Failure{ID: s.ID, Text: s.Text})
				}
				continue
			case Fail:
				return b.String()
			default:
				continue
			}
			if s.Query {
				in.Answers[s.ID] = ans
				continue
			}
			if ans.Err == nil {
				continue
			}
			fmt.Fprintf(&b, "\tfailed: %v\n", ans.Err)
			switch s.Fail.Policy {
			case Abort:
				return b.String()
			case Collect:
				failures = append(failures, Failure{ID: s.ID, Text: ErrorText(ans.Err)})
				skip = s.Group
			}
		}
		if !p.Pending {
			return b.String()
		}
	}
}

// render writes one step: the step, its environment, its undo, and its
// stdin when it has one.
func render(s Step) string {
	out := s.String() + "\n"
	if len(s.Cmd.Env) > 0 {
		env := append([]string(nil), s.Cmd.Env...)
		sort.Strings(env)
		out += "\tenv " + strings.Join(env, " ") + "\n"
	}
	if s.Cmd.Stdin != nil {
		b, _ := io.ReadAll(s.Cmd.Stdin)
		out += fmt.Sprintf("\tstdin %d rules, first %q\n", strings.Count(string(b), "\n"), strings.SplitN(string(b), "\n", 2)[0])
	}
	if s.Log != "" {
		out += "\tlog " + s.Log + "\n"
	}
	if f := s.Fail; (s.Kind == Run || s.Kind == Do) && !s.Query && f != (OnFail{}) {
		out += "\ton failure: " + [...]string{"abort", "degrade", "collect", "ignore", "report"}[f.Policy]
		if f.Say != "" {
			out += fmt.Sprintf(", say %q", f.Say)
		}
		if f.Before != "" || f.After != "" || f.Stderr {
			what := "ERROR"
			if f.Stderr {
				what = "STDERR"
			}
			out += fmt.Sprintf(", %q", f.Before+what+f.After)
		}
		out += "\n"
	}
	for _, u := range s.Undo {
		out += "\tundo " + u.String() + "\n"
	}
	return out
}
