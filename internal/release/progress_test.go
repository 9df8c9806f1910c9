package release

import (
	"bytes"
	"io"
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

func TestKeepWriter(t *testing.T) {
	var b bytes.Buffer
	k := newKeepWriter(&b)
	var want []byte
	for i, n := range []int{0, 1, keepChunk - 1, 3, keepChunk * 3, 17} {
		p := bytes.Repeat([]byte{byte('a' + i)}, n)
		want = append(want, p...)
		if m, err := k.Write(p); m != n || err != nil {
			t.Fatal(m, err)
		}
	}
	if err := k.Close(); err != nil || !bytes.Equal(b.Bytes(), want) {
		t.Fatalf("%v: %d bytes of %d", err, b.Len(), len(want))
	}
	if err := k.Close(); err != nil {
		t.Error("second Close", err)
	}
	bad := newKeepWriter(failingWriter{})
	var err error
	for i := 0; i < keepDepth*4 && err == nil; i++ {
		_, err = bad.Write(make([]byte, keepChunk))
	}
	if cerr := bad.Close(); cerr == nil || err == nil && cerr == nil {
		t.Errorf("write errors lost: %v %v", err, cerr)
	}
	if err := newKeepWriter(&b).Close(); err != nil {
		t.Error(err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }
