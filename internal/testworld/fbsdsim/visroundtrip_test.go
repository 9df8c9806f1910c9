package fbsdsim

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/fstab"
)

// Every path jcage's fstab encoding writes is one fstab field for jail(8)
// (no byte strtok splits on) and strunvis, as unvis.c defines it, gives
// back the same bytes; jcage's own decoder agrees with it on any input.
func TestFstabVisDecodesToSameBytesUnderStrunvis(t *testing.T) {
	var paths []string
	for b := 1; b < 256; b++ {
		paths = append(paths, "/mnt/a"+string([]byte{byte(b)})+"z")
	}
	paths = append(paths, "/mnt/my data", "/mnt/tab\there", "/mnt/nl\nx", `/mnt/back\slash`, "/mnt/日本語 dir",
		"/mnt/\xff\xfe bad utf8", "/mnt/$(rm -rf)", "/mnt/\u00a0nbsp", "/mnt/\\040literal")
	rng := rand.New(rand.NewSource(13))
	for i := 0; i < 3000; i++ {
		n := 1 + rng.Intn(24)
		b := make([]byte, n)
		for k := range b {
			b[k] = byte(1 + rng.Intn(255))
		}
		paths = append(paths, "/"+string(b))
	}
	for _, p := range paths {
		enc := fstab.Vis(p)
		if strings.ContainsAny(enc, " \t\f\v\r\n") {
			t.Fatalf("Vis(%q) = %q holds a field separator", p, enc)
		}
		got, ok := strunvis(enc)
		if !ok || got != p {
			t.Fatalf("strunvis(Vis(%q)) = %q, %v", p, got, ok)
		}
	}
	for i := 0; i < 5000; i++ {
		n := rng.Intn(12)
		b := make([]byte, n)
		alphabet := `\\0127M-^x4afgq$ a`
		for k := range b {
			b[k] = alphabet[rng.Intn(len(alphabet))]
		}
		s := string(b)
		want, ok := strunvis(s)
		got, err := fstab.Unvis(s)
		if ok != (err == nil) || (ok && strings.SplitN(got, "\x00", 2)[0] != want) {
			t.Fatalf("input %q: strunvis %q %v, fstab.Unvis %q %v", s, want, ok, got, err)
		}
	}
}
