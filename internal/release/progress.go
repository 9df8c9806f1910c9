package release

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Meter shows the progress of each file a fetch reads. It is an outside
// concern: a bar on a terminal, one plain line per file elsewhere.
type Meter interface {
	// Start begins a file; verb says what happens to it ("Downloading",
	// "Verifying", "Copying").
	Start(verb, file string) Progress
}

// Progress is one file under way.
type Progress interface {
	SetTotal(n int64) // the size, once known
	Add(n int)
	Done(result string) // finished; result says what became of it
	Abort()             // failed; the caller reports why
}

// BarMeter draws a progressbar/v3 bar per file: name, bytes, rate, ETA.
type BarMeter struct{ W io.Writer }

// Start implements Meter.
func (m BarMeter) Start(verb, file string) Progress {
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(m.W),
		progressbar.OptionSetDescription(verb+": "+file),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(m.W) }),
	)
	return &barProgress{bar: bar, w: m.W}
}

type barProgress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
	w   io.Writer
}

func (b *barProgress) SetTotal(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > 0 && b.bar.GetMax64() != n {
		b.bar.ChangeMax64(n)
	}
}

func (b *barProgress) Add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.bar.Add(n)
}

func (b *barProgress) Done(string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.bar.IsFinished() {
		_ = b.bar.Finish()
	}
}

func (b *barProgress) Abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.bar.Exit()
	fmt.Fprintln(b.w)
}

// LineMeter prints one line per finished file:
//
//	base.txz: 181.2 MiB verified and extracted in 2.1s (86.3 MiB/s)
type LineMeter struct {
	W   io.Writer
	Now func() time.Time
}

// Start implements Meter.
func (m LineMeter) Start(verb, file string) Progress {
	now := m.Now
	if now == nil {
		now = time.Now
	}
	return &lineProgress{w: m.W, file: file, now: now, start: now()}
}

type lineProgress struct {
	mu    sync.Mutex
	w     io.Writer
	file  string
	now   func() time.Time
	start time.Time
	n     int64
}

func (l *lineProgress) SetTotal(int64) {}

func (l *lineProgress) Add(n int) {
	l.mu.Lock()
	l.n += int64(n)
	l.mu.Unlock()
}

func (l *lineProgress) Done(result string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.now().Sub(l.start)
	rate := ""
	if secs := d.Seconds(); secs > 0 {
		rate = fmt.Sprintf(" (%s/s)", humanBytes(int64(float64(l.n)/secs)))
	}
	fmt.Fprintf(l.w, "%s: %s %s in %s%s\n", l.file, humanBytes(l.n), result, d.Round(100*time.Millisecond), rate)
}

func (l *lineProgress) Abort() {}

// humanBytes prints a size with binary units, as the bars do.
func humanBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n) / 1024
	for _, u := range []string{"KiB", "MiB", "GiB"} {
		if v < 1024 {
			return fmt.Sprintf("%.1f %s", v, u)
		}
		v /= 1024
	}
	return fmt.Sprintf("%.1f TiB", v)
}

// nopMeter shows nothing.
type nopMeter struct{}

func (nopMeter) Start(string, string) Progress { return nopProgress{} }

type nopProgress struct{}

func (nopProgress) SetTotal(int64) {}
func (nopProgress) Add(int)        {}
func (nopProgress) Done(string)    {}
func (nopProgress) Abort()         {}
