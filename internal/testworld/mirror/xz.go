package mirror

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// Two ways of turning a tar stream into a .txz:
//
//   - xzPipe runs the system xz over the whole stream (xz -N -T0). This is
//     what a release build does and what the sets look like by default.
//
//   - xzContainer writes the .xz container itself. Each block holds either
//     LZMA2 produced by `xz --format=raw` or LZMA2 "uncompressed" chunks
//     written here in Go. Stored blocks cost nothing to build, which is what
//     makes a several-hundred-megabyte release quick to produce on a small
//     machine; without a system xz every block is stored, so the builder
//     still works (with larger files) where xz is not installed. The result
//     is an ordinary single-stream, multi-block .xz that xz(1), libarchive
//     and Python's lzma all read.

// xzPipe compresses everything written to it with the system xz.
type xzPipe struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr bytes.Buffer
	err    error // set once the process has been waited for
	done   bool
}

func newXZPipe(xzPath string, preset int, out io.Writer) (*xzPipe, error) {
	p := &xzPipe{cmd: exec.Command(xzPath, "-"+strconv.Itoa(preset), "-T0", "-c", "-q")}
	p.cmd.Stdout = out
	p.cmd.Stderr = &p.stderr
	in, err := p.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	p.stdin = in
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", xzPath, err)
	}
	return p, nil
}

// finish closes xz's input and waits for it, once.
func (p *xzPipe) finish() error {
	if p.done {
		return p.err
	}
	p.done = true
	cerr := p.stdin.Close()
	if err := p.cmd.Wait(); err != nil {
		p.err = fmt.Errorf("xz: %w: %s", err, strings.TrimSpace(p.stderr.String()))
	} else {
		p.err = cerr
	}
	return p.err
}

func (p *xzPipe) Write(b []byte) (int, error) {
	if p.done {
		return 0, p.err
	}
	n, err := p.stdin.Write(b)
	if err != nil {
		// xz has most likely died; its exit status and stderr say why.
		if ferr := p.finish(); ferr != nil {
			return n, ferr
		}
		p.err = err
	}
	return n, err
}

// setStored is a no-op: the pipe compresses everything alike.
func (p *xzPipe) setStored(bool) error { return nil }

func (p *xzPipe) Close() error { return p.finish() }

// xz container constants (The .xz File Format, version 1.2.1).
var (
	xzHeaderMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	xzFooterMagic = []byte{'Y', 'Z'}
	// Stream flags: no reserved bits, check type 0x04 (CRC64).
	xzStreamFlags = []byte{0x00, 0x04}
	crc64Table    = crc64.MakeTable(crc64.ECMA)
)

const (
	lzma2FilterID = 0x21
	// LZMA2 dictionary size property 16 means 1 MiB; the raw compressor is
	// told to use exactly that, and stored blocks need no dictionary at all.
	lzma2DictProp = 16
	lzma2DictOpt  = "dict=1MiB"
	// An LZMA2 uncompressed chunk carries at most 64 KiB.
	storedChunkMax = 1 << 16
)

type xzRecord struct {
	unpadded     int64 // block header + compressed data + check
	uncompressed int64
}

// xzContainer writes one .xz stream. Data goes into the current block; a
// change between stored and compressed mode starts a new block.
type xzContainer struct {
	out     io.Writer
	xzPath  string // "" means every block is stored
	preset  int
	stored  bool
	blk     *xzBlock
	records []xzRecord
	err     error
	closed  bool
}

type xzBlock struct {
	c        *xzContainer
	check    hash.Hash64
	usize    int64
	csize    int64
	stored   bool
	chunk    []byte // stored mode: the pending uncompressed chunk
	first    bool   // stored mode: next chunk is the first (dictionary reset)
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	stderr   bytes.Buffer
	sizeSink *countingWriter
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newXZContainer(out io.Writer, xzPath string, preset int) (*xzContainer, error) {
	c := &xzContainer{out: out, xzPath: xzPath, preset: preset}
	hdr := append([]byte{}, xzHeaderMagic...)
	hdr = append(hdr, xzStreamFlags...)
	hdr = binary.LittleEndian.AppendUint32(hdr, crc32.ChecksumIEEE(xzStreamFlags))
	if _, err := out.Write(hdr); err != nil {
		return nil, err
	}
	return c, nil
}

// setStored chooses how data written from now on is encoded.
func (c *xzContainer) setStored(stored bool) error {
	if c.err != nil {
		return c.err
	}
	if stored == c.stored {
		return nil
	}
	c.stored = stored
	if c.blk != nil {
		c.err = c.endBlock()
	}
	return c.err
}

func (c *xzContainer) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c.blk == nil {
		// Blocks start lazily so that no empty block is ever written.
		if c.err = c.startBlock(); c.err != nil {
			return 0, c.err
		}
	}
	b := c.blk
	b.check.Write(p)
	b.usize += int64(len(p))
	if b.stored {
		for rest := p; len(rest) > 0; {
			n := min(storedChunkMax-len(b.chunk), len(rest))
			b.chunk = append(b.chunk, rest[:n]...)
			rest = rest[n:]
			if len(b.chunk) == storedChunkMax {
				if c.err = b.flushChunk(); c.err != nil {
					return 0, c.err
				}
			}
		}
		return len(p), nil
	}
	if _, err := b.stdin.Write(p); err != nil {
		// xz has most likely died; report its exit status and stderr.
		_ = b.stdin.Close()
		werr := b.cmd.Wait()
		c.blk = nil
		c.err = fmt.Errorf("xz --format=raw: %v: %v: %s", err, werr, strings.TrimSpace(b.stderr.String()))
		return 0, c.err
	}
	return len(p), nil
}

func (c *xzContainer) startBlock() error {
	// Block header: size, flags (one filter, no sizes: they are not known
	// while streaming), LZMA2 filter flags, padding to a multiple of four,
	// CRC32.
	h := []byte{0, 0x00, lzma2FilterID, 1, lzma2DictProp, 0, 0, 0}
	h[0] = byte((len(h)+4)/4 - 1)
	h = binary.LittleEndian.AppendUint32(h, crc32.ChecksumIEEE(h))
	if _, err := c.out.Write(h); err != nil {
		return err
	}
	b := &xzBlock{c: c, check: crc64.New(crc64Table), stored: c.stored || c.xzPath == "", first: true}
	b.sizeSink = &countingWriter{w: c.out}
	if !b.stored {
		b.cmd = exec.Command(c.xzPath, "--format=raw", "--lzma2=preset="+strconv.Itoa(c.preset)+","+lzma2DictOpt, "-c", "-q")
		b.cmd.Stdout = b.sizeSink
		b.cmd.Stderr = &b.stderr
		in, err := b.cmd.StdinPipe()
		if err != nil {
			return err
		}
		b.stdin = in
		if err := b.cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", c.xzPath, err)
		}
	} else {
		b.chunk = make([]byte, 0, storedChunkMax)
	}
	c.blk = b
	return nil
}

func (b *xzBlock) flushChunk() error {
	if len(b.chunk) == 0 {
		return nil
	}
	// Control byte 1 resets the dictionary (required for a block's first
	// chunk); 2 continues without a reset. Then the size minus one, big
	// endian, then the bytes as they are.
	ctl := byte(2)
	if b.first {
		ctl = 1
		b.first = false
	}
	n := len(b.chunk) - 1
	if _, err := b.sizeSink.Write([]byte{ctl, byte(n >> 8), byte(n)}); err != nil {
		return err
	}
	if _, err := b.sizeSink.Write(b.chunk); err != nil {
		return err
	}
	b.chunk = b.chunk[:0]
	return nil
}

func (c *xzContainer) endBlock() error {
	b := c.blk
	c.blk = nil
	if b.stored {
		if err := b.flushChunk(); err != nil {
			return err
		}
		// LZMA2 end marker.
		if _, err := b.sizeSink.Write([]byte{0}); err != nil {
			return err
		}
	} else {
		// The raw LZMA2 stream from xz already ends with its end marker.
		cerr := b.stdin.Close()
		if err := b.cmd.Wait(); err != nil {
			return fmt.Errorf("xz --format=raw: %w: %s", err, strings.TrimSpace(b.stderr.String()))
		}
		if cerr != nil {
			return cerr
		}
	}
	b.csize = b.sizeSink.n
	tail := make([]byte, (4-b.csize%4)%4)
	tail = binary.LittleEndian.AppendUint64(tail, b.check.Sum64())
	if _, err := c.out.Write(tail); err != nil {
		return err
	}
	c.records = append(c.records, xzRecord{unpadded: 12 + b.csize + 8, uncompressed: b.usize})
	return nil
}

func appendVLI(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// Close ends the open block and writes the index and stream footer.
func (c *xzContainer) Close() error {
	if c.closed {
		return c.err
	}
	c.closed = true
	if c.err != nil {
		if c.blk != nil && c.blk.cmd != nil {
			_ = c.blk.stdin.Close()
			_ = c.blk.cmd.Wait()
		}
		return c.err
	}
	if c.blk != nil {
		if c.err = c.endBlock(); c.err != nil {
			return c.err
		}
	}
	idx := []byte{0x00}
	idx = appendVLI(idx, uint64(len(c.records)))
	for _, r := range c.records {
		idx = appendVLI(idx, uint64(r.unpadded))
		idx = appendVLI(idx, uint64(r.uncompressed))
	}
	for len(idx)%4 != 0 {
		idx = append(idx, 0)
	}
	idx = binary.LittleEndian.AppendUint32(idx, crc32.ChecksumIEEE(idx))

	back := binary.LittleEndian.AppendUint32(nil, uint32(len(idx)/4-1))
	back = append(back, xzStreamFlags...)
	foot := binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(back))
	foot = append(foot, back...)
	foot = append(foot, xzFooterMagic...)
	if _, err := c.out.Write(idx); err != nil {
		c.err = err
		return err
	}
	if _, err := c.out.Write(foot); err != nil {
		c.err = err
	}
	return c.err
}

// compressor is what a set's tar stream is written to.
type compressor interface {
	io.WriteCloser
	// setStored switches between compressed and stored encoding for the
	// data that follows, where the compressor can tell them apart.
	setStored(bool) error
}
