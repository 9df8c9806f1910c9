package zfs

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jcage/jcage/internal/host"
)

// SendSizer estimates the size of a full send stream before it is sent,
// for progress displays. It is optional: a Manager without it, or an
// estimate that fails, leaves the size unknown.
type SendSizer interface {
	// SendSize is the estimate `zfs send -nvP SNAP` prints (zfs(8), the
	// "size" line of the parsable dry run), in bytes.
	SendSize(ctx context.Context, snap string) (int64, error)
}

var (
	_ SendSizer = (*GoZFS)(nil)
	_ SendSizer = (*Fake)(nil)
)

// SendSize implements SendSizer with a dry run: nothing is sent.
func (g *GoZFS) SendSize(ctx context.Context, snap string) (int64, error) {
	out, err := g.Run.Run(ctx, host.Cmd{Name: "zfs", Args: []string{"send", "-nvP", snap}})
	if err != nil {
		return 0, classify(err)
	}
	return parseSendSize(out)
}

// parseSendSize reads the "size\tN" line of `zfs send -nvP` (OpenZFS
// prints it to stdout, after "full\tSNAP\tN").
func parseSendSize(out []byte) (int64, error) {
	for _, line := range bytes.Split(out, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) == 2 && f[0] == "size" {
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("zfs send -nvP: no size in %q", out)
}

// SendSize implements SendSizer: the size of the stream Send writes.
func (f *Fake) SendSize(ctx context.Context, snap string) (int64, error) {
	f.mu.Lock()
	err := f.enter("sendsize", snap)
	f.mu.Unlock()
	if err != nil {
		return 0, err
	}
	var c countWriter
	f.mu.Lock()
	s, ok := f.ds[snap]
	f.mu.Unlock()
	if !ok || s.typ != Snapshot {
		return 0, zerr("open", snap, ErrNotFound)
	}
	if err := f.sendStream(snap, &c); err != nil {
		return 0, err
	}
	return c.n, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
