package release

import (
	"io"
	"sync"
)

// keepChunk and keepDepth bound what the kept copy may lag behind the
// extraction: keepDepth chunks of keepChunk bytes.
const (
	keepChunk = 1 << 20
	keepDepth = 8
)

// keepWriter writes the kept copy of a set from a goroutine of its own,
// so that a slow disk write does not stall the decompressor and tar,
// which are writing to the same pool at the same time.
type keepWriter struct {
	w      io.Writer
	cur    []byte
	full   chan []byte
	free   chan []byte
	done   chan struct{}
	closed bool

	mu  sync.Mutex
	err error
}

func newKeepWriter(w io.Writer) *keepWriter {
	k := &keepWriter{w: w, full: make(chan []byte, keepDepth), free: make(chan []byte, keepDepth+1), done: make(chan struct{})}
	for i := 0; i < keepDepth+1; i++ {
		k.free <- make([]byte, 0, keepChunk)
	}
	k.cur = <-k.free
	go k.loop(k.full)
	return k
}

func (k *keepWriter) loop(full <-chan []byte) {
	defer close(k.done)
	for b := range full {
		if k.failed() == nil {
			if _, err := k.w.Write(b); err != nil {
				k.mu.Lock()
				k.err = err
				k.mu.Unlock()
			}
		}
		k.free <- b[:0]
	}
}

func (k *keepWriter) failed() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.err
}

// Write queues p; it blocks only when keepDepth chunks are waiting.
func (k *keepWriter) Write(p []byte) (int, error) {
	if err := k.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		m := copy(k.cur[len(k.cur):cap(k.cur)], p)
		k.cur = k.cur[:len(k.cur)+m]
		p = p[m:]
		if len(k.cur) == cap(k.cur) {
			k.full <- k.cur
			k.cur = <-k.free
		}
	}
	return n, nil
}

// Close writes what is queued and reports the first write error.
func (k *keepWriter) Close() error {
	if !k.closed {
		k.closed = true
		if len(k.cur) > 0 {
			k.full <- k.cur
		}
		close(k.full)
		<-k.done
	}
	return k.failed()
}
