package fbsdsim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func parseConfForTest(t *testing.T, src string) *jailConf {
	t.Helper()
	c := &jailConf{File: "test.conf"}
	if err := c.parse("test.conf", []byte(src), 0); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestJailConfSyntax(t *testing.T) {
	c := parseConfForTest(t, `
# comment
$base = "/iocage/jails";          // variable
path = "$base/$name/root";          /* wildcard-level default */
exec.clean;
mount.nodevfs;
foo {
	host.hostname = "foo";
	ip4.addr = "em0|10.0.0.5/24", 10.0.0.6;
	ip4.addr += 10.0.0.7;
	allow.mount = "false";
	exec.start = "/bin/sh /etc/rc";
	exec.poststart = 'echo $name';
	exec.prestart = "echo \$name \"quoted\"";
	host.domainname = ${base}x;
	persist;
}
bar.* { securelevel = 3; }
"bar.baz" { persist }
`)
	wantEq(t, "names", strings.Join(c.jailNames(), ","), "foo,bar.baz")
	p, err := c.resolve("foo")
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]string{
		"path":            "/iocage/jails/foo/root",
		"ip4.addr":        "em0|10.0.0.5/24,10.0.0.6,10.0.0.7",
		"host.hostname":   "foo",
		"allow.mount":     "false",
		"exec.start":      "/bin/sh /etc/rc",
		"exec.poststart":  "echo $name",
		"exec.prestart":   `echo $name "quoted"`,
		"host.domainname": "/iocage/jailsx",
		"mount.devfs":     "false",
		"name":            "foo",
	}
	for k, want := range checks {
		if got := p.get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !p.bare["persist"] || !p.bare["exec.clean"] {
		t.Errorf("bare booleans lost: %v", p.bare)
	}
	q, err := c.resolve("bar.baz")
	if err != nil {
		t.Fatal(err)
	}
	if q.get("securelevel") != "3" || q.get("path") != "/iocage/jails/bar.baz/root" || !q.bare["persist"] {
		t.Errorf("bar.baz = %v %v", q.vals, q.bare)
	}
}

func TestJailConfErrors(t *testing.T) {
	for _, src := range []string{
		"foo { path = /x\n",
		"foo { path = ; } }",
		"foo { a = \"unterminated; }",
		"foo { bar { } }",
		"= x;",
	} {
		c := &jailConf{File: "t"}
		if err := c.parse("t", []byte(src), 0); err == nil {
			t.Errorf("%q parsed", src)
		}
	}
	c := parseConfForTest(t, "foo { path = \"$nowhere/x\"; }")
	if _, err := c.resolve("foo"); err == nil || !strings.Contains(err.Error(), `unknown variable "nowhere"`) {
		t.Errorf("undefined variable: %v", err)
	}
}

func TestJailConfInclude(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "jail.conf.d"), 0o755)
	os.WriteFile(filepath.Join(dir, "jail.conf.d", "a.conf"), []byte("a { persist; }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "jail.conf.d", "b.conf"), []byte("b { persist; }\n"), 0o644)
	main := filepath.Join(dir, "jail.conf")
	os.WriteFile(main, []byte("path = /;\n.include \"jail.conf.d/*.conf\";\n"), 0o644)
	c, err := readJailConf(main, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "names", strings.Join(c.jailNames(), ","), "a,b")
	c, err = readJailConf("-", strings.NewReader("s { persist; }"))
	if err != nil || !c.has("s") {
		t.Fatalf("stdin conf: %v", err)
	}
}
