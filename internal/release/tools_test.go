package release

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/host"
)

func TestToolsChooseAHostOwnedFreebsdUpdate(t *testing.T) {
	ioc := t.TempDir()
	ctx := context.Background()
	tools := func(hostRel string) *Tools {
		run := &testRunner{}
		run.on("uname", func(host.Cmd) (string, error) { return hostRel + "\n", nil })
		return &Tools{Run: run, IOCRoot: ioc, TempDir: t.TempDir()}
	}
	// The host's own, when its release is at least the target.
	for _, hostRel := range []string{"14.3-RELEASE", "14.3-RELEASE-p4", "15.0-RELEASE", "15.0-CURRENT"} {
		if p, done, err := tools(hostRel).FreebsdUpdate(ctx, "14.3-RELEASE-p1"); err != nil || p != "freebsd-update" {
			t.Errorf("host %s: %q %v", hostRel, p, err)
		} else {
			done()
		}
	}
	// An older host with nothing fetched: a clear refusal.
	if _, _, err := tools("14.2-RELEASE").FreebsdUpdate(ctx, "14.3-RELEASE"); err == nil || !strings.Contains(err.Error(), "fetch 14.3-RELEASE first") {
		t.Errorf("nothing fetched: %v", err)
	}
	// The release dataset's copy.
	relTool := filepath.Join(ioc, "releases/15.0-RELEASE/root", ToolMember)
	os.MkdirAll(filepath.Dir(relTool), 0o755)
	os.WriteFile(relTool, []byte("#!/bin/sh\n"), 0o555)
	if p, _, err := tools("14.3-RELEASE").FreebsdUpdate(ctx, "15.0-RELEASE"); err != nil || p != relTool {
		t.Errorf("release copy: %q %v", p, err)
	}
	// The base set's copy, extracted to a private directory and removed.
	if _, err := exec.LookPath("tar"); err != nil {
		t.Fatal("tar is needed to build the base set")
	}
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "usr/sbin"), 0o755)
	os.WriteFile(filepath.Join(src, ToolMember), []byte("#!/bin/sh\n# from base.txz\n"), 0o555)
	archive := filepath.Join(ioc, "download/15.1-RELEASE/base.txz")
	os.MkdirAll(filepath.Dir(archive), 0o755)
	if out, err := exec.Command("tar", "-cJf", archive, "-C", src, "./"+ToolMember).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	p, done, err := tools("14.3-RELEASE").FreebsdUpdate(ctx, "15.1-RELEASE")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), "from base.txz") {
		t.Errorf("extracted %q", b)
	}
	done()
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("extracted tool left behind: %v", err)
	}
}
