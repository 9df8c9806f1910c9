package release

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLineMeter(t *testing.T) {
	var b bytes.Buffer
	now := time.Unix(1000, 0)
	m := LineMeter{W: &b, Now: func() time.Time { return now }}
	p := m.Start("Downloading", "base.txz")
	p.SetTotal(3 << 20)
	p.Add(1 << 20)
	p.Add(2 << 20)
	now = now.Add(1500 * time.Millisecond)
	p.Done("verified and extracted")
	if got := b.String(); got != "base.txz: 3.0 MiB verified and extracted in 1.5s (2.0 MiB/s)\n" {
		t.Errorf("%q", got)
	}
	b.Reset()
	m.Start("Verifying", "src.txz").Abort()
	if b.Len() != 0 {
		t.Errorf("abort printed %q", b.String())
	}
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 5 << 30: "5.0 GiB", 3 << 40: "3.0 TiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q", n, got)
		}
	}
}

// The bar shows the file, the bytes and the rate, and ends its line.
func TestBarMeter(t *testing.T) {
	var b bytes.Buffer
	p := BarMeter{W: &b}.Start("Downloading", "base.txz")
	p.SetTotal(4 << 20)
	p.Add(4 << 20)
	p.Done("verified and extracted")
	out := b.String()
	for _, want := range []string{"Downloading: base.txz", "100%", "MiB", "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q: %q", want, out)
		}
	}
}
