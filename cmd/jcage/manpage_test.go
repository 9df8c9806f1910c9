package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/defaults"
	"github.com/jcage/jcage/internal/config"
	"github.com/jcage/jcage/internal/testworld/goldenfile"
)

const manPath = "../../jcage.8"

const (
	propsBegin = `.\" BEGIN PROPERTIES`
	propsEnd   = `.\" END PROPERTIES`
)

func readMan(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(manPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// manSections splits the page by .Sh and, within COMMANDS, by .Ss.
func manSections(page string) (sh map[string]string, ss map[string]string) {
	sh, ss = map[string]string{}, map[string]string{}
	var cur, sub string
	for _, line := range strings.Split(page, "\n") {
		if name, ok := strings.CutPrefix(line, ".Sh "); ok {
			cur, sub = name, ""
			continue
		}
		if name, ok := strings.CutPrefix(line, ".Ss "); ok && cur == "COMMANDS" {
			sub = name
			continue
		}
		sh[cur] += line + "\n"
		if sub != "" {
			ss[sub] += line + "\n"
		}
	}
	return sh, ss
}

// mentionsFlag reports whether mdoc text documents the flag name: .Fl c
// for a short option (-NU too), .Fl -count for a long one.
func mentionsFlag(text, name string) bool {
	spelled := strings.TrimPrefix(dashed(name), "-")
	return regexp.MustCompile(`(^|\s)Fl ` + regexp.QuoteMeta(spelled) + `(\s|$)`).MatchString(text)
}

// The page documents every command, every option of every command (taken
// from the command line jcage really parses, so a new option needs only
// its line in the page) and every global option.
func TestManPageCoversTheCommandLine(t *testing.T) {
	sh, ss := manSections(readMan(t))
	app := newApp(&env{})
	for _, f := range app.Flags {
		for _, n := range f.Names() {
			if !mentionsFlag(sh["DESCRIPTION"], n) {
				t.Errorf("global option %s is not in DESCRIPTION", dashed(n))
			}
		}
	}
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		text, ok := ss[c.Name]
		if !ok {
			t.Errorf("command %s has no .Ss %s under COMMANDS", c.Name, c.Name)
			continue
		}
		if !strings.Contains(text, ".Cm "+c.Name) {
			t.Errorf("%s: no synopsis line .Cm %s", c.Name, c.Name)
		}
		for _, f := range c.Flags {
			if f == cli.HelpFlag {
				continue
			}
			for _, n := range f.Names() {
				if !mentionsFlag(text, n) {
					t.Errorf("%s: option %s is not documented in its section", c.Name, dashed(n))
				}
			}
		}
	}
	// Commands in the page that the code lacks are stale.
	for name := range ss {
		if findCommand(app, name) == nil {
			t.Errorf("the page documents %s, which is no command", name)
		}
	}
}

// Every environment variable jcage reads is in ENVIRONMENT.
func TestManPageCoversTheEnvironment(t *testing.T) {
	sh, _ := manSections(readMan(t))
	re := regexp.MustCompile(`"(JCAGE_[A-Z_]+)"`)
	seen := map[string]bool{}
	for _, dir := range []string{".", "../../internal/jail", "../../internal/release", "../../internal/zfs", "../../internal/host", "../../internal/fstab", "../../internal/plugin"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				seen[m[1]] = true
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("found no JCAGE_ variable in the sources")
	}
	for v := range seen {
		if !strings.Contains(sh["ENVIRONMENT"], ".It Ev "+v) {
			t.Errorf("%s is read by jcage but not in ENVIRONMENT", v)
		}
	}
	for _, sec := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "PROPERTIES", "JSON OUTPUT", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "COMPATIBILITY", "SEE ALSO"} {
		if strings.TrimSpace(sh[sec]) == "" {
			t.Errorf("section %s is missing or empty", sec)
		}
	}
}

// PROPERTIES lists every property of the property table with its type,
// default and when a change applies; the section is generated, and
// -update rewrites it.
func TestManPageProperties(t *testing.T) {
	page := readMan(t)
	i, j := strings.Index(page, propsBegin), strings.Index(page, propsEnd)
	if i < 0 || j < i {
		t.Fatalf("jcage.8 lacks the %q ... %q markers", propsBegin, propsEnd)
	}
	want := propertiesSection()
	got := page[i+len(propsBegin)+1 : j]
	if got == want {
		return
	}
	if goldenfile.Update() {
		if err := os.WriteFile(manPath, []byte(page[:i+len(propsBegin)+1]+want+page[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("jcage.8's PROPERTIES section is out of date with the property table: run go test ./cmd/jcage -run TestManPageProperties -update")
}

// mandoc -T lint has nothing to say about the page. mandoc is a Debian
// package the test world installs; without it the test fails, unless
// JCAGE_SKIP_MANDOC=1.
func TestManPageLint(t *testing.T) {
	path, err := exec.LookPath("mandoc")
	if err != nil {
		if os.Getenv("JCAGE_SKIP_MANDOC") == "1" {
			t.Skip("mandoc not installed (JCAGE_SKIP_MANDOC=1)")
		}
		t.Fatal("mandoc is not installed: apt-get install mandoc (internal/testworld/world-up.sh does), or set JCAGE_SKIP_MANDOC=1")
	}
	out, _ := exec.Command(path, "-T", "lint", "-W", "style", manPath).CombinedOutput()
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// The FreeBSD pages the page refers to (jail(8), zfs(8), ...)
		// are not installed on the Linux machines tests run on.
		if line == "" || strings.Contains(line, "referenced manual not found") || strings.Contains(line, "mandoc.db") {
			continue
		}
		msgs = append(msgs, line)
	}
	if len(msgs) > 0 {
		t.Errorf("mandoc -T lint jcage.8:\n%s", strings.Join(msgs, "\n"))
	}
}

// propDoc says what the properties that need more than their type do.
var propDoc = map[string]string{
	"boot":                   "Start the jail at boot, with start --rc.",
	"priority":               "Start order at boot, lowest first; stop order is the reverse.",
	"depends":                "Jails started before this one.",
	"template":               "The jail is a template; set on a stopped jail, it moves the datasets.",
	"basejail":               "The jail's system directories are mounted read-only from its release.",
	"vnet":                   "Give the jail its own network stack with epair interfaces.",
	"interfaces":             "VNET interfaces and the bridges they join, as vnet0:bridge0.",
	"ip4_addr":               "IPv4 addresses, as [iface|]addr[/mask], comma-separated, or DHCP.",
	"ip6_addr":               "IPv6 addresses, as [iface|]addr[/prefix], comma-separated, or accept_rtadv.",
	"dhcp":                   "Get the jail's IPv4 address by DHCP (needs vnet and bpf).",
	"nat":                    "Give a VNET jail a private address behind the host's NAT.",
	"nat_forwards":           "Ports forwarded to a NAT jail, as proto(port[:port]).",
	"defaultrouter":          "The jail's IPv4 default route.",
	"defaultrouter6":         "The jail's IPv6 default route.",
	"resolver":               "The jail's resolv.conf: a file to copy, or lines separated by ;.",
	"exec_start":             "Run inside the jail to start it.",
	"exec_stop":              "Run inside the jail to stop it.",
	"exec_prestart":          "Run on the host before the jail starts.",
	"exec_poststart":         "Run on the host after the jail started.",
	"exec_prestop":           "Run on the host before the jail stops.",
	"exec_poststop":          "Run on the host after the jail stopped.",
	"exec_created":           "Run on the host once the jail exists, before exec_start.",
	"exec_clean":             "Run commands in the jail with a clean environment.",
	"exec_fib":               "The routing table of commands run in the jail.",
	"devfs_ruleset":          "The jail's devfs ruleset; 4 makes jcage generate one.",
	"cpuset":                 "CPUs the jail may use.",
	"jail_zfs":               "Delegate a ZFS dataset to the jail.",
	"jail_zfs_dataset":       "The delegated dataset, relative to the pool.",
	"quota":                  "ZFS quota of the jail's datasets.",
	"reservation":            "ZFS reservation of the jail's datasets.",
	"hostid":                 "The host UUID a jail belongs to.",
	"hostid_strict_check":    "Start the jail only on the host whose hostid it names.",
	"host_hostname":          "The jail's host name.",
	"host_time":              "Copy the host's time zone into the jail at start.",
	"notes":                  "Free text.",
	"release":                "The release the jail runs.",
	"state":                  "up or down; computed by get.",
	"jid":                    "The JID of the running jail; computed by get.",
	"login_flags":            "Flags of login(1) for console.",
	"mount_devfs":            "Mount devfs in the jail.",
	"mount_fdescfs":          "Mount fdescfs in the jail.",
	"mount_procfs":           "Mount procfs in the jail.",
	"mount_linprocfs":        "Mount linprocfs in the jail.",
	"securelevel":            "The jail's securelevel.",
	"enforce_statfs":         "Which mount points the jail sees.",
	"children_max":           "How many child jails the jail may create.",
	"allow_tun":              "Expose tun(4) devices in the jail's devfs ruleset.",
	"bpf":                    "Expose bpf(4) devices in the jail's devfs ruleset.",
	"rtsold":                 "Run rtsold(8) in a VNET jail.",
	"assign_localhost":       "Give the jail its own loopback address, localhost_ip.",
	"stop_timeout":           "Seconds jail(8) waits for the jail's processes at stop.",
	"exec_timeout":           "Seconds a hook may run.",
	"mac_prefix":             "Prefix of generated MAC addresses.",
	"vnet_default_interface": "The host interface whose bridge a VNET jail joins by default.",
	"nat_backend":            "The host's NAT: pf or ipfw.",
	"nat_interface":          "The host interface NAT goes out of.",
	"nat_prefix":             "The private range NAT jails get addresses from.",
	"rlimits":                "Apply RCTL limits.",
	"compression":            "ZFS compression of the jail's datasets.",
	"dedup":                  "ZFS deduplication of the jail's datasets.",
	"CONFIG_VERSION":         "The config.json format version.",
}

func propType(p config.Prop) string {
	switch p.Class {
	case config.ClassBool:
		return "boolean"
	case config.ClassEnum:
		return "one of " + strings.Join(p.Enum, ", ")
	case config.ClassUint:
		if p.Max > 0 {
			return fmt.Sprintf("integer %d to %d", p.Min, p.Max)
		}
		return "integer"
	case config.ClassInt:
		return fmt.Sprintf("integer %d to %d", p.Min, p.Max)
	case config.ClassRuleset:
		return "devfs ruleset number"
	case config.ClassMTU:
		return "auto or an MTU"
	case config.ClassIPList:
		return "address list"
	case config.ClassRouter:
		return "auto, none or an address"
	case config.ClassIfacePairs:
		return "interface:bridge list"
	case config.ClassIface:
		return "none or an interface"
	case config.ClassIfaceList:
		return "none or interface names"
	case config.ClassMACPair:
		return "none or two MAC addresses"
	case config.ClassMACPrefix:
		return "six hexadecimal digits"
	case config.ClassRCTL:
		return "off or action=amount"
	case config.ClassCpuset:
		return "off, all, a CPU list or a range"
	case config.ClassIPv4:
		return "none or an IPv4 address"
	case config.ClassNATForwards:
		return "none or forwarding rules"
	case config.ClassNATPrefix:
		return "two octets of a private range"
	case config.ClassHostname:
		return "host name"
	case config.ClassDomainname:
		return "none or a domain name"
	case config.ClassNames:
		return "none or jail names"
	case config.ClassResolver:
		return "path, none or resolv.conf lines"
	case config.ClassPath:
		return "none or an absolute path"
	case config.ClassDatasets:
		return "dataset names"
	case config.ClassUUID:
		return "UUID"
	case config.ClassZFSSize:
		return "none or a size"
	case config.ClassZFSDedup, config.ClassZFSCompression:
		return "ZFS value"
	case config.ClassCommand:
		return "command line"
	case config.ClassText:
		return "text"
	}
	return "set by jcage"
}

// propApplies says when a change to p takes effect.
func propApplies(p config.Prop) string {
	switch {
	case p.Has(config.Pseudo):
		return "computed, never stored"
	case p.Has(config.ReadOnly):
		return "read-only"
	case p.Has(config.Live):
		return "live, with jail -m " + p.Param
	case p.Has(config.RCTL):
		return "live, with rctl"
	case p.Has(config.ZFS):
		return "live, with zfs set"
	case p.Has(config.Stopped):
		return "only while the jail is stopped"
	case p.Has(config.Special):
		return "while the jail is stopped"
	}
	return "at the next start"
}

func propDefault(name string, d map[string]any) string {
	v, ok := d[name]
	switch {
	case !ok:
		return ""
	case v == nil:
		return "generated"
	}
	s := fmt.Sprint(v)
	if s == "" {
		return "empty"
	}
	if s == "readonly" {
		return ""
	}
	return s
}

// mdocEscape keeps a value from being read as a macro or an escape.
func mdocEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	return s
}

// propertiesSection is PROPERTIES, from the property table and the
// default set.
func propertiesSection() string {
	var b strings.Builder
	b.WriteString(".\\\" Generated from the property table:\n")
	b.WriteString(".\\\" go test ./cmd/jcage -run TestManPageProperties -update\n")
	b.WriteString("Properties are set with\n.Cm set\nand read with\n.Cm get .\n")
	b.WriteString("Each entry gives the property's type, its default and when a change\napplies to a running jail.\n")
	b.WriteString("Booleans accept 0, 1, off, on, no, yes, false and true and are stored\nas 0 or 1.\n")
	b.WriteString("Properties marked default-only are set on\n.Cm default\nalone.\n")
	b.WriteString(".Bl -tag -width Ds\n")
	d := defaults.Props()
	props := config.Props()
	sort.Slice(props, func(i, j int) bool { return props[i].Name < props[j].Name })
	for _, p := range props {
		fmt.Fprintf(&b, ".It Va %s\n", p.Name)
		described := true
		if doc, ok := propDoc[p.Name]; ok {
			b.WriteString(doc + "\n")
		} else if p.Has(config.RCTL) {
			fmt.Fprintf(&b, "The RCTL limit on the jail's\n.Cm %s .\n", p.Name)
		} else if strings.HasPrefix(p.Name, "allow_") && p.Param != "" {
			fmt.Fprintf(&b, "The\n.Xr jail 8\nparameter\n.Va %s .\n", p.Param)
		} else {
			described = false
		}
		line := "Type: " + propType(p)
		if def := propDefault(p.Name, d); def != "" {
			line += "; default: " + mdocEscape(def)
		}
		line += "; applies: " + propApplies(p)
		if p.Has(config.DefaultOnly) {
			line += "; default-only"
		}
		if p.Has(config.JailOnly) {
			line += "; per jail, not in defaults"
		}
		// One clause a line: mandoc wants input lines under 80 bytes.
		if described {
			b.WriteString(".Pp\n")
		}
		b.WriteString(strings.ReplaceAll(line, "; ", ";\n") + ".\n")
	}
	b.WriteString(".El\n")
	return b.String()
}
