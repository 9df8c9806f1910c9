package fbsdsim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// jlsFixture starts two jails: web (two IPv4 addresses, a long hostname)
// and bare (no addresses).
func jlsFixture(t *testing.T) (*kSim, string) {
	s := newKSim(t)
	root := s.dir("web", "root")
	s.env["JCAGE_SIM_HOSTNAME"] = "host.example"
	s.ok("jail", "-c", "name=ioc-web", "path="+root, "host.hostname=web.a.very.long.hostname.example.org",
		"ip4.addr=10.0.0.5,10.0.0.6", "ip6.addr=2001:db8::5", "persist", "allow.raw_sockets")
	s.ok("jail", "-c", "name=bare", "path="+root, "persist", "host.domainname=")
	return s, root
}

func TestJlsDefaultTable(t *testing.T) {
	s, root := jlsFixture(t)
	want := "   JID  IP Address      Hostname                      Path\n" +
		fmt.Sprintf("     1  10.0.0.5        web.a.very.long.hostname.exam %s\n", root) +
		fmt.Sprintf("     2                  host.example                  %s\n", root)
	wantEq(t, "jls", s.ok("jls"), want)
	want = " JID             IP Address      Hostname                      Path\n" +
		fmt.Sprintf(" ioc-web         10.0.0.5        web.a.very.long.hostname.exam %s\n", root) +
		fmt.Sprintf(" bare                            host.example                  %s\n", root)
	wantEq(t, "jls -N", s.ok("jls", "-N"), want)
	s.assertLogged("jls", "-N")
}

func TestJlsVerbose(t *testing.T) {
	s, root := jlsFixture(t)
	want := "   JID  Hostname                      Path\n" +
		"        Name                          State\n" +
		"        CPUSetID\n" +
		"        IP Address(es)\n" +
		fmt.Sprintf("     1  web.a.very.long.hostname.exam %s\n", root) +
		"        ioc-web                       ACTIVE\n" +
		"        2\n" +
		"        10.0.0.5\n" +
		"        10.0.0.6\n" +
		"        2001:db8::5\n"
	wantEq(t, "jls -v -j 1", s.ok("jls", "-v", "-j", "1"), want)
}

func TestJlsParams(t *testing.T) {
	s, root := jlsFixture(t)
	wantEq(t, "-h", s.ok("jls", "-j", "ioc-web", "-h", "path"), "path\n"+root+"\n")
	wantEq(t, "params", s.ok("jls", "jid", "name", "ip4.addr", "persist", "host.domainname"),
		"1 ioc-web 10.0.0.5,10.0.0.6 true \"\"\n2 bare - true \"\"\n")
	wantEq(t, "-n", s.ok("jls", "-n", "-j", "bare", "jid", "name", "ip4.addr", "persist", "allow.raw_sockets", "vnet"),
		"jid=2 name=bare ip4.addr= persist allow.noraw_sockets vnet=inherit\n")
	wantEq(t, "-nq", s.ok("jls", "-nq", "-j", "bare", "ip4.addr", "host.domainname"), "ip4.addr=\"\" host.domainname=\"\"\n")
	// -s skips read-only parameters and those under a jailsys that is not "new".
	out := s.ok("jls", "-s", "-j", "bare")
	for _, bad := range []string{"dying", "cpuset.id", "parent", "ip4.addr", "children.cur"} {
		if strings.Contains(" "+out, " "+bad+"=") || strings.Contains(" "+out, " no"+bad) {
			t.Errorf("-s printed %s: %s", bad, out)
		}
	}
	if !strings.Contains(out, "name=bare") || !strings.Contains(out, "host.hostname=host.example") {
		t.Errorf("-s output %s", out)
	}
	// "all" puts top-level parameters first.
	all := strings.Fields(strings.SplitN(s.ok("jls", "-h"), "\n", 2)[0])
	if all[0] != "devfs_ruleset" {
		t.Fatalf("first parameter %q is not top-level", all[0])
	}
	for i := 1; i < len(all); i++ {
		if !strings.Contains(all[i-1], ".") && strings.Contains(all[i], ".") {
			continue
		}
		if strings.Contains(all[i-1], ".") == strings.Contains(all[i], ".") && all[i-1] > all[i] {
			t.Fatalf("-h header not sorted: %v", all)
		}
		if strings.Contains(all[i-1], ".") && !strings.Contains(all[i], ".") {
			t.Fatalf("top-level after dotted: %v", all)
		}
	}
}

func TestJlsErrors(t *testing.T) {
	s, _ := jlsFixture(t)
	s.fails(1, "jls: jail \"nope\" not found\n", "jls", "-j", "nope")
	s.fails(1, "jls: jail 99 not found\n", "jls", "-j", "99")
	s.fails(1, "jls: unknown parameter: exec.start\n", "jls", "exec.start")
	s.fails(1, "jls: illegal option -- x\njls: usage: jls [-dhNnqv] [-j jail] [param ...]\n", "jls", "-x")
	r := s.fails(1, "not found", "jls", "--libxo", "json", "-j", "nope")
	if r.stdout != "" {
		t.Fatalf("stdout on error: %q", r.stdout)
	}
}

func TestJlsLibxoJSON(t *testing.T) {
	s, root := jlsFixture(t)
	out := s.ok("jls", "--libxo", "json")
	want := `{"__version": "2", "jail-information": {"jail": [` +
		`{"jid":1,"ipv4":"10.0.0.5","hostname":"web.a.very.long.hostname.example.org","path":"` + root + `"}, ` +
		`{"jid":2,"ipv4":"","hostname":"host.example","path":"` + root + `"}]}}` + "\n"
	wantEq(t, "jls --libxo json", out, want)

	out = s.ok("jls", "--libxo=json", "-v", "-j", "bare")
	want = `{"__version": "2", "jail-information": {"jail": [{"jid":2,"hostname":"host.example","path":"` + root +
		`","name":"bare","state":"ACTIVE","cpusetid":3,"ipv4_addrs":[],"ipv6_addrs":[]}]}}` + "\n"
	wantEq(t, "jls -v json", out, want)

	out = s.ok("jls", "--libxo", "json", "-j", "ioc-web", "jid", "name", "ip4.addr", "persist", "host.domainname")
	want = `{"__version": "2", "jail-information": {"jail": [{"jid":"1","name":"ioc-web","ip4.addr":["10.0.0.5","10.0.0.6"],"persist":"true","host.domainname":""}]}}` + "\n"
	wantEq(t, "params json", out, want)

	out = s.ok("jls", "-n", "--libxo", "json", "-j", "ioc-web", "name", "persist", "allow.mount")
	want = `{"__version": "2", "jail-information": {"jail": [{"name":"ioc-web","persist":true,"allow.mount":false}]}}` + "\n"
	wantEq(t, "-n json", out, want)

	// The document parses, and -N switches jid for name.
	var doc struct {
		Info struct {
			Jail []map[string]any `json:"jail"`
		} `json:"jail-information"`
	}
	if err := json.Unmarshal([]byte(s.ok("jls", "-N", "--libxo", "json")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.Jail[0]["name"] != "ioc-web" || doc.Info.Jail[0]["jid"] != nil {
		t.Fatalf("-N json %v", doc.Info.Jail[0])
	}
	empty := newKSim(t)
	wantEq(t, "no jails", empty.ok("jls", "--libxo", "json"), `{"__version": "2", "jail-information": {"jail": []}}`+"\n")
	wantEq(t, "no jails text", empty.ok("jls"), "   JID  IP Address      Hostname                      Path\n")
	empty.fails(1, "unknown libxo option value", "jls", "--libxo", "yaml")
}
