package main

import (
	"strconv"
	"testing"

	"github.com/jcage/jcage/internal/release"
)

// A mirror is reached over http or https: another scheme is refused in one
// line before anything is asked of the network or the pool.
func TestFetchRefusesOtherSchemes(t *testing.T) {
	h := newTreeHarness(t)
	before := h.zfs.Calls("")
	for _, server := range []string{"file:///etc", "ftp://ftp.freebsd.org", "FILE:///x", "gopher://x\n"} {
		if code := do(h, runFetch, fetchOptions{release: "14.3-RELEASE", mirror: release.Options{Server: server}}); code != 1 ||
			h.stderr.String() != "fetch: server "+strconv.Quote(server)+": a mirror is reached over http:// or https://\n" {
			t.Errorf("fetch -s %q: %d %q", server, code, h.stderr.String())
		}
	}
	if calls := h.zfs.Calls("") - before; calls != 0 {
		t.Errorf("refused fetches made %d zfs calls", calls)
	}
}

// fetch -P -n names a new jail: it is held to create's rules before the
// plugin is looked at.
func TestFetchPluginNameChecked(t *testing.T) {
	h := newTreeHarness(t)
	for name, msg := range map[string]string{
		"ALL":  "You cannot name a jail ALL, that is a reserved name.\n",
		"-x":   "Invalid name -x: a name cannot start with \"-\", please choose another.\n",
		"a..b": "Invalid name a..b: a name cannot contain \"..\", please choose another.\n",
		"a\nb": "Invalid character in \"a\\nb\", please remove it.\n",
	} {
		opts := fetchOptions{plugins: true, plugin: pluginFetchOptions{plugin: "plex", name: name, named: true, count: 1}}
		if code := do(h, runFetch, opts); code != 1 || h.stderr.String() != msg {
			t.Errorf("fetch -P plex -n %q: %d %q", name, code, h.stderr.String())
		}
	}
}

// A jail an iocage host holds under a name jcage no longer gives out keeps
// working, but does not become a template under it.
func TestTemplateConversionChecksName(t *testing.T) {
	h := newTreeHarness(t)
	h.addJail(".dot", nil)
	moves := func() int { return h.zfs.Calls("rename") + h.zfs.Calls("set") + h.zfs.Calls("snapshot") }
	before := moves()
	if code := do(h, runSet, setOptions{args: []string{"template=yes", ".dot"}}); code != 1 ||
		h.stderr.String() != "Invalid name .dot: a name cannot start with \".\", please choose another.\n" {
		t.Fatalf("set template=yes .dot: %d %q", code, h.stderr.String())
	}
	if calls := moves() - before; calls != 0 {
		t.Errorf("the refused conversion made %d zfs changes", calls)
	}
	must(h, runSet, setOptions{args: []string{"notes=still works", ".dot"}})
}
