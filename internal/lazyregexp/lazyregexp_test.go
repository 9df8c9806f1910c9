package lazyregexp

import (
	"strings"
	"testing"
)

func TestCompiledOnFirstUse(t *testing.T) {
	r := New(`^a+(b)$`)
	if r.rx != nil {
		t.Fatal("compiled before first use")
	}
	if !r.MatchString("aab") || r.MatchString("b") {
		t.Fatal("MatchString")
	}
	if r.rx == nil {
		t.Fatal("not kept after first use")
	}
	if got := r.FindStringSubmatch("ab"); len(got) != 2 || got[1] != "b" {
		t.Fatalf("FindStringSubmatch = %q", got)
	}
	if got := r.ReplaceAllString("aab", "x$1"); got != "xb" {
		t.Fatalf("ReplaceAllString = %q", got)
	}
	if !r.Match([]byte("ab")) || r.String() != `^a+(b)$` {
		t.Fatal("Match or String")
	}
}

func TestCheckReportsBadPattern(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatalf("Check before a bad pattern: %v", err)
	}
	bad := New(`(unclosed`)
	defer func() {
		mu.Lock()
		all = all[:len(all)-1]
		mu.Unlock()
	}()
	if err := Check(); err == nil || !strings.Contains(err.Error(), "missing closing )") {
		t.Fatalf("Check = %v, want the parse error", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a bad pattern did not panic on first use")
		}
	}()
	bad.MatchString("x")
}
