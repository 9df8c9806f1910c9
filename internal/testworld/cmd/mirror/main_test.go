package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestUpPrintsURLThenServes(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"up", "-dir", dir, "-release", "14.3-RELEASE", "-arch", "amd64", "-no-xz"}, pw, &stderr)
		pw.Close()
	}()

	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL line: %v (stderr: %s)", err, stderr.String())
	}
	url := strings.TrimSpace(line)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first stdout line %q is not the base URL", line)
	}
	resp, err := http.Get(url + "/ftp/releases/amd64/amd64/14.3-RELEASE/MANIFEST")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("MANIFEST: %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d, stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("up did not stop when its context ended")
	}
	if !strings.Contains(stderr.String(), "built amd64/14.3-RELEASE") {
		t.Errorf("no build report on stderr: %q", stderr.String())
	}

	// A second up finds the release current and only serves.
	ctx2, cancel2 := context.WithCancel(context.Background())
	pr2, pw2 := io.Pipe()
	stderr.Reset()
	go func() {
		done <- run(ctx2, []string{"up", "-dir", dir, "-release", "14.3-RELEASE", "-arch", "amd64", "-no-xz"}, pw2, &stderr)
		pw2.Close()
	}()
	if _, err := bufio.NewReader(pr2).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	cancel2()
	if code := <-done; code != 0 || strings.Contains(stderr.String(), "built") {
		t.Errorf("second up: exit %d, stderr %q", code, stderr.String())
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"frobnicate"},
		{"build"},
		{"serve"},
		{"build", "-dir", "x", "-pad-mb", "-1"},
		{"build", "-dir", "x", "extra"},
		{"serve", "-dir", "x", "-pad-mb", "3"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"serve", "-dir", t.TempDir()}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "build the mirror first") {
		t.Errorf("serve on an empty dir: exit %d, stderr %q", code, errb.String())
	}
	if code := run(context.Background(), []string{"build", "-dir", t.TempDir(), "-arch", "vax"}, &out, &errb); code != 1 {
		t.Errorf("build for vax: exit %d", code)
	}
}
