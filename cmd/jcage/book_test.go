package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

var reviewBook = flag.Bool("review-book", false, "print what each book command line did, to review testdata/book-commands.txt")

// shellWords splits a command line as sh does for the book's lines:
// blanks separate words, double quotes group.
func shellWords(line string) []string {
	var words []string
	var b strings.Builder
	in, any := false, false
	for _, r := range line {
		switch {
		case r == '"':
			in, any = !in, true
		case (r == ' ' || r == '\t') && !in:
			if any {
				words = append(words, b.String())
				b.Reset()
				any = false
			}
		default:
			b.WriteRune(r)
			any = true
		}
	}
	if any {
		words = append(words, b.String())
	}
	return words
}

type bookLine struct {
	expect string
	line   string
	args   []string
}

func readBook(t *testing.T) []bookLine {
	t.Helper()
	b, err := os.ReadFile("testdata/book-commands.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []bookLine
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		expect, line, ok := strings.Cut(l, "\t")
		if !ok {
			t.Fatalf("book-commands.txt: %q", l)
		}
		words := shellWords(line)
		if words[0] != "jcage" {
			t.Fatalf("book-commands.txt: %q is no jcage command line", line)
		}
		out = append(out, bookLine{expect, line, words[1:]})
	}
	return out
}

// parses runs the command line through jcage's parser with every action
// replaced by one that only reads its options, and returns the exit
// status (2 when the line does not parse).
func parses(t *testing.T, args []string) (int, string) {
	t.Helper()
	var out, errb strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	app := newApp(e)
	for _, c := range app.Commands {
		c.Action = func(c *cli.Context) error {
			if c.Command.SkipFlagParsing {
				// exec and pkg read their own leading options.
				_, _, err := leadingFlags(c.Args().Slice(),
					map[string]string{"u": "u", "host_user": "u", "U": "U", "jail_user": "U"},
					map[string]string{"f": "f", "force": "f"})
				if err != nil {
					return usageError{err}
				}
			}
			return nil
		}
	}
	err := app.RunContext(context.Background(), permuteArgs(app, append([]string{"jcage"}, args...)))
	return exitCode(e, err, false), errb.String()
}

// bookWorld is a host with the book's jails and releases, in the fake,
// set up for the line about to run: the jail a create or clone names is
// not there yet, exec, pkg and console find their jail running, every
// jail has an address, every question is answered yes.
func bookWorld(t *testing.T, args []string) *harness {
	h := newHarness(t, "tank", "iocage")
	if code := do(h, runActivate, activateOptions{pool: "tank"}); code != 0 {
		t.Fatalf("activate: %s", h.stderr.String())
	}
	h.running(nil)
	// A jail just created answers jls with its JID.
	h.run.On([]string{"jls", "-j"}, "7\n", nil)
	l := layout.Layout{Pool: "tank"}
	for _, rel := range []string{"11.2-RELEASE", "12.0-RELEASE", "13.0-CURRENT"} {
		if err := h.zfs.Create(t.Context(), l.ReleaseRoot(rel), zfs.CreateOptions{Parents: true}); err != nil {
			t.Fatal(err)
		}
	}
	made := ""
	for i, a := range args {
		if a == "-n" && i+1 < len(args) && (args[0] == "create" || args[0] == "clone") {
			made = args[i+1]
		}
	}
	var names []string
	for _, name := range []string{"www1", "www2", "www3", "www4", "dns3", "dnstemplate", "wdb2", "dba2", "devuan"} {
		if name == made {
			continue
		}
		h.addJail(name, map[string]any{"ip4_addr": fmt.Sprintf("em0|203.0.113.%d/24", 10+len(names))})
		dir, root := h.zfs.MountPath(l.Jail(name)), h.zfs.MountPath(l.JailRoot(name))
		for _, d := range []string{"tmp", "usr/local/scripts"} {
			if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "fstab"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if made != "www1" {
		must(h, runSnapshot, snapshotOptions{jail: "www1", name: "install"})
	}
	switch args[0] {
	case "exec", "pkg", "console":
		jids := map[string]int{}
		for i, n := range names {
			jids[n] = i + 1
		}
		h.running(jids)
	}
	h.stdin = strings.Repeat("y\n", 10)
	return h
}

// The book's iocage command lines, spelled jcage: every one parses (but
// the book's typos, which iocage refuses too), and every one marked "ran"
// succeeds in the fake world.
func TestBookCorpus(t *testing.T) {
	lines := readBook(t)
	if len(lines) < 50 {
		t.Fatalf("only %d book lines", len(lines))
	}
	ran := 0
	for _, bl := range lines {
		code, stderr := parses(t, bl.args)
		switch bl.expect {
		case "usage":
			if code != 2 {
				t.Errorf("%s: parsed (exit %d); the book's typo should be refused", bl.line, code)
			}
			continue
		case "ran", "parsed":
			if code == 2 {
				t.Errorf("%s: does not parse: %s", bl.line, stderr)
				continue
			}
		default:
			if !*reviewBook {
				t.Errorf("%s: unknown mark %q", bl.line, bl.expect)
			}
		}
		if bl.expect == "parsed" {
			continue
		}
		h := bookWorld(t, bl.args)
		got := h.jcage(bl.args...)
		if *reviewBook {
			fmt.Printf("%d\t%s\t%s\n", got, bl.line, strings.TrimSpace(h.stderr.String()))
			continue
		}
		if bl.expect == "ran" {
			ran++
			if got != 0 {
				t.Errorf("%s: exit %d in the fake world: %s", bl.line, got, h.stderr.String())
			}
		}
	}
	t.Logf("%d book lines parsed, %d ran", len(lines), ran)
}

func TestShellWords(t *testing.T) {
	got := shellWords(`jcage set exec_start="/etc/init.d/rc 3" devuan`)
	if strings.Join(got, "|") != "jcage|set|exec_start=/etc/init.d/rc 3|devuan" {
		t.Fatalf("%q", got)
	}
}
