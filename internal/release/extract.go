package release

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/jcage/jcage/internal/argv"
	"github.com/jcage/jcage/internal/host"
)

// UnsafeMemberError is a member that would land outside the release root.
type UnsafeMemberError struct {
	Name   string
	Reason string
}

func (e *UnsafeMemberError) Error() string {
	return fmt.Sprintf("refusing archive member %q: %s", e.Name, e.Reason)
}

// memberCheck vets members before the system tar sees them. It is shared
// by every set of one fetch, so that a symlink made by one set cannot
// carry a member of a later set out of the root.
type memberCheck struct {
	symlinks map[string]bool // cleaned names of symlink members
}

func newMemberCheck() *memberCheck { return &memberCheck{symlinks: map[string]bool{}} }

// headerOnly lists the types whose members carry no data; archive/tar
// skips none for them, so a tar that did would read the next bytes
// differently from this check.
var headerOnly = map[byte]bool{
	tar.TypeLink: true, tar.TypeSymlink: true, tar.TypeChar: true,
	tar.TypeBlock: true, tar.TypeDir: true, tar.TypeFifo: true,
}

// cleanMember returns the member's path relative to the root ("" for the
// root itself), or a reason to refuse it.
func cleanMember(name string) (string, string) {
	if name == "" {
		return "", "empty name"
	}
	if strings.HasPrefix(name, "/") {
		return "", "absolute path"
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", `".." in path`
		}
	}
	p := path.Clean(name)
	if p == "." {
		return "", ""
	}
	return p, ""
}

// throughSymlink returns the symlink member p would be extracted through.
func (m *memberCheck) throughSymlink(p string) string {
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && m.symlinks[p[:i]] {
			return p[:i]
		}
	}
	return ""
}

func (m *memberCheck) check(h *tar.Header) error {
	bad := func(reason string) error { return &UnsafeMemberError{Name: h.Name, Reason: reason} }
	switch h.Typeflag {
	case tar.TypeXGlobalHeader:
		return nil
	case tar.TypeReg, tar.TypeRegA, tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
	default:
		return bad(fmt.Sprintf("unsupported member type %q", h.Typeflag))
	}
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return bad("sparse members are not supported")
		}
	}
	if headerOnly[h.Typeflag] && h.Size != 0 {
		return bad(fmt.Sprintf("type %q with %d bytes of data", h.Typeflag, h.Size))
	}
	p, why := cleanMember(h.Name)
	if why != "" {
		return bad(why)
	}
	if s := m.throughSymlink(p); s != "" {
		return bad("it lies below the symlink " + s)
	}
	switch h.Typeflag {
	case tar.TypeSymlink:
		if p == "" {
			return bad("the root cannot be a symlink")
		}
		m.symlinks[p] = true
	case tar.TypeLink:
		t, why := cleanMember(h.Linkname)
		if why != "" {
			return &UnsafeMemberError{Name: h.Name, Reason: "hardlink target " + h.Linkname + ": " + why}
		}
		if s := m.throughSymlink(t); s != "" || t == "" {
			return &UnsafeMemberError{Name: h.Name, Reason: "hardlink target " + h.Linkname + " lies below a symlink"}
		}
	}
	return nil
}

// gate sits between the decompressor and the system tar. archive/tar
// parses the stream from it; bytes belonging to a member's data pass
// straight through, while header bytes are held back until the header
// they belong to has been checked. So tar never receives a member this
// check has not accepted.
type gate struct {
	src     io.Reader
	dst     *bufio.Writer
	pending []byte
	allow   int64 // data bytes of accepted members still to come
	pos     int64 // bytes read from src
	werr    error // tar stopped reading
}

func (g *gate) Read(p []byte) (int, error) {
	n, err := g.src.Read(p)
	g.pos += int64(n)
	if n > 0 {
		b := p[:n]
		if g.allow > 0 {
			k := min(int64(len(b)), g.allow)
			g.write(b[:k])
			g.allow -= k
			b = b[k:]
		}
		g.pending = append(g.pending, b...)
	}
	return n, err
}

func (g *gate) write(b []byte) {
	if g.werr == nil && len(b) > 0 {
		_, g.werr = g.dst.Write(b)
	}
}

// Seek is how archive/tar skips the data of a member: seeking forward
// within accepted data passes those bytes to tar in large copies rather
// than through small reads. Nothing else can seek.
func (g *gate) Seek(offset int64, whence int) (int64, error) {
	if whence != io.SeekCurrent || offset < 0 || offset > g.allow {
		return -1, errors.New("gate: unsupported seek")
	}
	if offset > 0 {
		n, err := io.CopyN(gateWriter{g}, g.src, offset)
		g.pos += n
		g.allow -= n
		if err != nil {
			return g.pos, err
		}
	}
	return g.pos, nil
}

// gateWriter passes accepted bytes on, reporting tar's failure.
type gateWriter struct{ g *gate }

func (w gateWriter) Write(p []byte) (int, error) {
	w.g.write(p)
	if w.g.werr != nil {
		return 0, w.g.werr
	}
	return len(p), nil
}

// pass lets the held bytes through, then the data of the member just
// accepted: its size rounded up to the block, as archive/tar skips it.
func (g *gate) pass(h *tar.Header) {
	g.write(g.pending)
	g.pending = g.pending[:0]
	if h != nil && !headerOnly[h.Typeflag] && h.Typeflag != tar.TypeXGlobalHeader && h.Size > 0 {
		g.allow = (h.Size + 511) &^ 511
	}
}

// errTarStopped means tar stopped reading; its exit status says why.
var errTarStopped = errors.New("tar stopped reading")

// scan copies the tar stream from src to dst, checking every member
// first. Bytes after the end-of-archive blocks are read and dropped.
func scan(src io.Reader, dst io.Writer, check *memberCheck) (err error) {
	g := &gate{src: bufio.NewReaderSize(src, 256<<10), dst: bufio.NewWriterSize(dst, 256<<10)}
	defer func() {
		// What was accepted goes out even when a later member is not.
		if err != nil && g.werr == nil {
			g.dst.Flush()
		}
	}()
	tr := tar.NewReader(g)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			g.pass(nil)
			break
		}
		if g.werr != nil {
			return errTarStopped
		}
		if errors.Is(err, tar.ErrInsecurePath) && h != nil {
			if cerr := check.check(h); cerr != nil {
				return cerr
			}
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		if err := check.check(h); err != nil {
			return err
		}
		g.pass(h)
	}
	if g.werr == nil {
		g.werr = g.dst.Flush()
	}
	if g.werr != nil {
		return errTarStopped
	}
	_, err = io.Copy(io.Discard, g.src)
	return err
}

// extraction is one set on its way into a root: what is written to it is
// the compressed set; xz, the member check and tar run concurrently.
type extraction struct {
	in   *os.File // xz's stdin
	wg   sync.WaitGroup
	xz   error
	scan error
	tar  error
}

// startExtraction starts xz and tar (argv.TarExtract, reading stdin)
// for one set.
func startExtraction(ctx context.Context, run host.Runner, tar host.Cmd, check *memberCheck) (*extraction, error) {
	var files []*os.File
	pipe := func() (*os.File, *os.File, error) {
		r, w, err := os.Pipe()
		if err == nil {
			files = append(files, r, w)
			setPipeSize(w)
		}
		return r, w, err
	}
	xzInR, xzInW, err1 := pipe()
	xzOutR, xzOutW, err2 := pipe()
	tarInR, tarInW, err3 := pipe()
	if err := errors.Join(err1, err2, err3); err != nil {
		for _, f := range files {
			f.Close()
		}
		return nil, err
	}
	x := &extraction{in: xzInW}
	x.wg.Go(func() {
		xz := argv.XzDecompress()
		xz.Stdin, xz.Stdout = xzInR, xzOutW
		_, x.xz = run.Run(ctx, xz)
		// Writers to a dead xz now fail instead of blocking, and the
		// scan sees the end of the stream.
		xzInR.Close()
		xzOutW.Close()
	})
	x.wg.Go(func() {
		tar.Stdin = tarInR
		_, x.tar = run.Run(ctx, tar)
		tarInR.Close()
	})
	x.wg.Go(func() {
		x.scan = scan(xzOutR, tarInW, check)
		// On a refused member tar gets a truncated archive and fails;
		// closing xz's output stops xz too.
		tarInW.Close()
		xzOutR.Close()
	})
	return x, nil
}

// wait closes the input and reports the first cause of failure: a refused
// member, then xz, then tar.
func (x *extraction) wait() error {
	x.in.Close()
	x.wg.Wait()
	var um *UnsafeMemberError
	switch {
	case errors.As(x.scan, &um):
		return x.scan
	case x.xz != nil:
		return fmt.Errorf("decompressing: %w", x.xz)
	case x.tar != nil:
		return fmt.Errorf("extracting: %w", x.tar)
	case x.scan != nil:
		return x.scan
	}
	return nil
}
