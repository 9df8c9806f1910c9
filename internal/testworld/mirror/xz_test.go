package mirror

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// systemXZ returns the path of xz(1). The tests read every archive back with
// it, so its absence is a failure, not a skip.
func systemXZ(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xz")
	if err != nil {
		t.Fatalf("these tests need xz(1) in PATH to read archives back: %v", err)
	}
	return p
}

func xzDecode(t *testing.T, data []byte) []byte {
	t.Helper()
	cmd := exec.Command(systemXZ(t), "-dc")
	cmd.Stdin = bytes.NewReader(data)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("xz -dc: %v: %s", err, errb.String())
	}
	return out.Bytes()
}

func TestXZContainer(t *testing.T) {
	xz := systemXZ(t)
	gen := newFiller(7)
	chunk := func(n int) []byte {
		b := make([]byte, n)
		if _, err := gen.Read(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name   string
		xzPath string
		parts  []int // positive: compressed bytes, negative: stored bytes
	}{
		{"empty", xz, nil},
		{"compressed only", xz, []int{100000}},
		{"stored only", "", []int{-1, -storedChunkMax, -storedChunkMax - 1, -300000}},
		{"mixed", xz, []int{5000, -200000, 70000, -3, 1}},
		{"no xz mixed", "", []int{5000, -200000, 70000}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, want bytes.Buffer
			c, err := newXZContainer(&out, tc.xzPath, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range tc.parts {
				stored := n < 0
				if stored {
					n = -n
				}
				if err := c.setStored(stored); err != nil {
					t.Fatal(err)
				}
				b := chunk(n)
				want.Write(b)
				// Uneven writes exercise chunk boundaries.
				for len(b) > 0 {
					k := min(len(b), 40000)
					if _, err := c.Write(b[:k]); err != nil {
						t.Fatal(err)
					}
					b = b[k:]
				}
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			test := exec.Command(xz, "-t")
			test.Stdin = bytes.NewReader(out.Bytes())
			if msg, err := test.CombinedOutput(); err != nil {
				t.Fatalf("xz -t: %v: %s", err, msg)
			}
			if got := xzDecode(t, out.Bytes()); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("round trip: got %d bytes, want %d", len(got), want.Len())
			}
		})
	}
}

func TestXZFailureIsReported(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "xz")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'xz: out of imaginary memory' >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, pad := range []int64{0, 4096} {
		dir := filepath.Join(t.TempDir(), "rel")
		_, err := Build(dir, ReleaseSpec{Name: "14.3-RELEASE", Sets: []string{"base"}, XZ: fake, PadBytes: pad})
		if err == nil || !strings.Contains(err.Error(), "out of imaginary memory") {
			t.Errorf("pad %d: error %v, want xz's stderr in it", pad, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); !os.IsNotExist(err) {
			t.Errorf("pad %d: MANIFEST written after a failed build", pad)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
			t.Errorf("pad %d: files left behind: %v", pad, left)
		}
	}
}
