package mirror

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Misbehaviours, each served under /corrupt/KIND/ followed by the normal
// mirror paths, so a client pointed at BASE/corrupt/KIND sees a whole
// mirror with one thing wrong. Only what the kind names changes; the
// listings and everything else are served as on the good path.
const (
	// CorruptHash serves intact sets under a MANIFEST whose sha256 fields
	// are all wrong, so only checksum verification can notice.
	CorruptHash = "hash"
	// CorruptFlip serves every set with the byte at half its length
	// inverted: same size, wrong checksum, broken xz stream.
	CorruptFlip = "flip"
	// CorruptTruncated sends the full Content-Length, half the body, and
	// then closes the connection cleanly.
	CorruptTruncated = "truncated"
	// CorruptDie sends the full Content-Length, half the body, and then
	// resets the connection (TCP RST).
	CorruptDie = "die"
	// CorruptDieOnce behaves like CorruptDie for the first GET of each path
	// (since the server started or the stats were last reset) and like the
	// good path afterwards, Range requests included: a client that retries
	// or resumes succeeds.
	CorruptDieOnce = "die-once"
	// CorruptStall sends the full Content-Length and half the body, then
	// nothing more until the client goes away or the server closes: a
	// download that is certainly in progress, for interruption tests.
	CorruptStall = "stall"
	// Corrupt404 answers 404 for every set; MANIFEST is there.
	Corrupt404 = "404"
	// CorruptNoManifest answers 404 for MANIFEST; the sets are there.
	CorruptNoManifest = "nomanifest"
)

// Corruptions lists every misbehaviour the server offers.
var Corruptions = []string{CorruptHash, CorruptFlip, CorruptTruncated, CorruptDie, CorruptDieOnce, CorruptStall, Corrupt404, CorruptNoManifest}

// CorruptPrefix is the URL path prefix of a misbehaviour: /corrupt/KIND.
func CorruptPrefix(kind string) string { return "/corrupt/" + kind }

// StatsPath answers GET with the per-path request counts as JSON, and
// DELETE (or POST to StatsPath+"/reset") by zeroing them.
const StatsPath = "/_stats"

// PathStats counts the requests for one URL path.
type PathStats struct {
	Requests int   `json:"requests"` // all requests, any method
	Ranges   int   `json:"ranges"`   // requests carrying a Range header
	Bytes    int64 `json:"bytes"`    // body bytes sent
}

// Server serves a mirror tree built by BuildMirror as download.freebsd.org
// lays it out, plus the misbehaving variants under /corrupt/.
type Server struct {
	root string // the mirror root; sets live under root/ftp/releases
	stop chan struct{}
	once sync.Once

	mu        sync.Mutex
	stats     map[string]*PathStats
	gotFirstG map[string]bool // paths that have had their first GET
}

// NewServer serves the mirror tree under root.
func NewServer(root string) *Server {
	return &Server{root: root, stop: make(chan struct{}), stats: map[string]*PathStats{}, gotFirstG: map[string]bool{}}
}

// Stats returns a copy of the per-path request counts.
func (s *Server) Stats() map[string]PathStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]PathStats, len(s.stats))
	for p, st := range s.stats {
		out[p] = *st
	}
	return out
}

// ResetStats zeroes the counts, and re-arms CorruptDieOnce.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = map[string]*PathStats{}
	s.gotFirstG = map[string]bool{}
}

// Stop releases requests held by CorruptStall. Closing the listening
// server does that too; Stop is for a Server used as a plain handler.
func (s *Server) Stop() { s.once.Do(func() { close(s.stop) }) }

// count records a request and reports whether it is the first GET of its
// path.
func (s *Server) count(r *http.Request) (firstGet bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats[r.URL.Path]
	if st == nil {
		st = &PathStats{}
		s.stats[r.URL.Path] = st
	}
	st.Requests++
	if r.Header.Get("Range") != "" {
		st.Ranges++
	}
	if r.Method == http.MethodGet && !s.gotFirstG[r.URL.Path] {
		s.gotFirstG[r.URL.Path] = true
		return true
	}
	return false
}

func (s *Server) addBytes(path string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.stats[path]; st != nil {
		st.Bytes += n
	}
}

// countingResponse counts body bytes, and keeps http.ResponseController
// and sendfile working through Unwrap and ReadFrom.
type countingResponse struct {
	http.ResponseWriter
	n int64
}

func (c *countingResponse) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingResponse) ReadFrom(r io.Reader) (int64, error) {
	n, err := io.Copy(c.ResponseWriter, r)
	c.n += n
	return n, err
}

func (c *countingResponse) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// request is one mirror request after its URL is taken apart.
type request struct {
	w        http.ResponseWriter
	r        *http.Request
	kind     string // corruption, "" on the good path
	firstGet bool
	hijacked *int64 // bytes sent on a hijacked connection
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == StatsPath || r.URL.Path == StatsPath+"/reset" {
		s.serveStats(w, r)
		return
	}
	firstGet := s.count(r)
	cw := &countingResponse{ResponseWriter: w}
	var hijacked int64
	defer func() { s.addBytes(r.URL.Path, cw.n+hijacked) }()

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(cw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if p == "/" {
		s.serveIndex(cw, r)
		return
	}
	q := &request{w: cw, r: r, firstGet: firstGet, hijacked: &hijacked}
	if rest, ok := strings.CutPrefix(p, "/corrupt/"); ok {
		kind, tail, _ := strings.Cut(rest, "/")
		if !slices.Contains(Corruptions, kind) {
			http.NotFound(cw, r)
			return
		}
		q.kind = kind
		p = "/" + tail
	}
	for _, pre := range servedPrefixes {
		if tail, ok := strings.CutPrefix(p, "/"+pre); ok && (tail == "" || tail[0] == '/') {
			s.serveTree(q, tail)
			return
		}
	}
	http.NotFound(cw, r)
}

func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodDelete && r.URL.Path == StatsPath,
		r.Method == http.MethodPost && r.URL.Path == StatsPath+"/reset":
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && r.URL.Path == StatsPath:
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(s.Stats())
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	var ents []listEntry
	ents = append(ents, listEntry{name: "ftp/releases/", dir: true})
	for _, k := range Corruptions {
		ents = append(ents, listEntry{name: "corrupt/" + k + "/ftp/releases/", dir: true})
	}
	writeListing(w, r, "/", ents, false)
}

// treeDir is the directory holding every machine: root/ftp/releases.
func (s *Server) treeDir() string { return filepath.Join(s.root, filepath.FromSlash(MirrorPrefix)) }

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// releaseReady reports whether dir holds a finished release.
func releaseReady(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "MANIFEST"))
	return err == nil && st.Mode().IsRegular()
}

// serveTree serves tail, the part of the path after the mirror prefix:
// "", "/", "/amd64/", "/amd64/amd64/14.3-RELEASE/base.txz",
// "/amd64/14.3-RELEASE/base.txz" (the compatibility spelling), ...
func (s *Server) serveTree(q *request, tail string) {
	slash := strings.HasSuffix(q.r.URL.Path, "/")
	var parts []string
	for _, e := range strings.Split(strings.Trim(tail, "/"), "/") {
		if e == "" {
			continue
		}
		if !validName(e) {
			http.NotFound(q.w, q.r)
			return
		}
		parts = append(parts, e)
	}
	top := s.treeDir()
	if len(parts) > 0 {
		if _, err := MachineArch(parts[0]); err != nil || !isDir(filepath.Join(top, parts[0])) {
			http.NotFound(q.w, q.r)
			return
		}
	}
	// archDir reports whether parts[1] names a machine_arch directory.
	archDir := func() bool { return isDir(filepath.Join(top, parts[0], parts[1])) && machineArch[parts[0]] == parts[1] }

	switch {
	case len(parts) == 0:
		s.dirOr301(q, slash, func() []listEntry { return s.machineEntries() })
	case len(parts) == 1:
		s.dirOr301(q, slash, func() []listEntry { return s.machineDirEntries(parts[0]) })
	case len(parts) == 2 && archDir():
		s.dirOr301(q, slash, func() []listEntry { return s.releaseEntries(parts[0], parts[1]) })
	case len(parts) == 2 && hasFlatAlias(parts[0]):
		s.releaseDir(q, slash, filepath.Join(top, parts[0], parts[0], parts[1]))
	case len(parts) == 3 && archDir():
		s.releaseDir(q, slash, filepath.Join(top, parts[0], parts[1], parts[2]))
	case len(parts) == 3 && hasFlatAlias(parts[0]):
		s.releaseFile(q, slash, filepath.Join(top, parts[0], parts[0], parts[1]), parts[2])
	case len(parts) == 4 && archDir():
		s.releaseFile(q, slash, filepath.Join(top, parts[0], parts[1], parts[2]), parts[3])
	default:
		http.NotFound(q.w, q.r)
	}
}

// dirOr301 serves a directory listing, redirecting to the slash form first
// as nginx does (iocage's requests follows the redirect).
func (s *Server) dirOr301(q *request, slash bool, list func() []listEntry) {
	if !slash {
		http.Redirect(q.w, q.r, q.r.URL.Path+"/", http.StatusMovedPermanently)
		return
	}
	writeListing(q.w, q.r, q.r.URL.Path, list(), true)
}

func (s *Server) releaseDir(q *request, slash bool, dir string) {
	if !releaseReady(dir) {
		http.NotFound(q.w, q.r)
		return
	}
	s.dirOr301(q, slash, func() []listEntry { return s.fileEntries(dir, q.kind) })
}

type listEntry struct {
	name  string // with a trailing slash for directories
	dir   bool
	size  int64
	mtime time.Time
}

func (s *Server) machineEntries() []listEntry {
	var out []listEntry
	ents, _ := os.ReadDir(s.treeDir())
	for _, e := range ents {
		if _, err := MachineArch(e.Name()); err == nil && e.IsDir() {
			out = append(out, dirEntry(filepath.Join(s.treeDir(), e.Name()), e.Name()))
		}
	}
	return out
}

// machineDirEntries lists ftp/releases/MACHINE/: its machine_arch
// directory and, where mirrors keep the compatibility links, the releases.
func (s *Server) machineDirEntries(machine string) []listEntry {
	arch := machineArch[machine]
	var out []listEntry
	if d := filepath.Join(s.treeDir(), machine, arch); isDir(d) {
		out = append(out, dirEntry(d, arch))
		if hasFlatAlias(machine) {
			out = append(out, s.releaseEntries(machine, arch)...)
		}
	}
	return out
}

func (s *Server) releaseEntries(machine, arch string) []listEntry {
	var out []listEntry
	base := filepath.Join(s.treeDir(), machine, arch)
	ents, _ := os.ReadDir(base)
	for _, e := range ents {
		if e.IsDir() && validName(e.Name()) && releaseReady(filepath.Join(base, e.Name())) {
			out = append(out, dirEntry(filepath.Join(base, e.Name()), e.Name()))
		}
	}
	return out
}

func (s *Server) fileEntries(dir, kind string) []listEntry {
	var out []listEntry
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || !validName(name) ||
			(kind == Corrupt404 && strings.HasSuffix(name, ".txz")) ||
			(kind == CorruptNoManifest && name == "MANIFEST") {
			continue
		}
		if info, err := e.Info(); err == nil {
			out = append(out, listEntry{name: name, size: info.Size(), mtime: info.ModTime()})
		}
	}
	return out
}

func dirEntry(p, name string) listEntry {
	le := listEntry{name: name + "/", dir: true}
	if st, err := os.Stat(p); err == nil {
		le.mtime = st.ModTime()
	}
	return le
}

func humanSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, unit := float64(n)/1024, "KiB"
	for _, u := range []string{"MiB", "GiB"} {
		if v < 1024 {
			break
		}
		v, unit = v/1024, u
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}

// writeListing renders a directory index the way download.freebsd.org's
// nginx (fancyindex) does. iocage finds releases by splitting this page on
// whitespace and keeping the tokens that mention "-RELEASE", so the
// href="REL/" and title="REL" attributes must stay separate tokens.
func writeListing(w http.ResponseWriter, r *http.Request, urlPath string, ents []listEntry, parent bool) {
	sort.Slice(ents, func(i, j int) bool { return ents[i].name < ents[j].name })
	var b bytes.Buffer
	title := html.EscapeString(urlPath)
	b.WriteString(`<!DOCTYPE html><html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"><meta name="viewport" content="width=device-width"><style type="text/css">body,html {background:#fff;font-family:"Bitstream Vera Sans","Lucida Grande","Lucida Sans Unicode",Lucidux,Verdana,Lucida,sans-serif;}tr:nth-child(even) {background:#f4f4f4;}th,td {padding:0.1em 0.5em;}th {text-align:left;font-weight:bold;background:#eee;border-bottom:1px solid #aaa;}#list {border:1px solid #aaa;width:100%;}a {color:#a33;}a:hover {color:#e33;}</style>` + "\n")
	fmt.Fprintf(&b, "\n<title>Index of %s</title>\n</head><body><h1>Index of %s</h1>\n", title, title)
	b.WriteString(`<table id="list"><thead><tr><th style="width:55%"><a href="?C=N&amp;O=A">File Name</a>&nbsp;<a href="?C=N&amp;O=D">&nbsp;&darr;&nbsp;</a></th><th style="width:20%"><a href="?C=S&amp;O=A">File Size</a>&nbsp;<a href="?C=S&amp;O=D">&nbsp;&darr;&nbsp;</a></th><th style="width:25%"><a href="?C=M&amp;O=A">Date</a>&nbsp;<a href="?C=M&amp;O=D">&nbsp;&darr;&nbsp;</a></th></tr></thead>` + "\n<tbody>\n")
	if parent {
		b.WriteString(`<tr><td class="link"><a href="../">Parent directory/</a></td><td class="size">-</td><td class="date">-</td></tr>` + "\n")
	}
	for _, e := range ents {
		name := html.EscapeString(e.name)
		size, date := "-", "-"
		if !e.dir {
			size = humanSize(e.size)
		}
		if !e.mtime.IsZero() {
			date = e.mtime.UTC().Format("2006-Jan-02 15:04")
		}
		fmt.Fprintf(&b, "<tr><td class=\"link\"><a href=\"%s\" title=\"%s\">%s</a></td><td class=\"size\">%s</td><td class=\"date\">%s</td></tr>\n",
			name, strings.TrimSuffix(name, "/"), name, size, date)
	}
	b.WriteString("</tbody></table></body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b.Bytes())
}

// releaseFile serves one file of a release directory, misbehaving as the
// request's kind says.
func (s *Server) releaseFile(q *request, slash bool, dir, name string) {
	if slash || !releaseReady(dir) {
		http.NotFound(q.w, q.r)
		return
	}
	isSet := strings.HasSuffix(name, ".txz")
	if (q.kind == Corrupt404 && isSet) || (q.kind == CorruptNoManifest && name == "MANIFEST") {
		http.NotFound(q.w, q.r)
		return
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		http.NotFound(q.w, q.r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(q.w, q.r)
		return
	}
	h := q.w.Header()
	h.Set("Content-Type", "application/octet-stream")
	// ETags differ per variant so that If-Range never joins pieces of a
	// good and a corrupt body.
	etag := func(variant string) string { return fmt.Sprintf(`"%x-%x%s"`, st.ModTime().Unix(), st.Size(), variant) }
	if q.kind == CorruptHash && name == "MANIFEST" {
		body, err := wrongManifest(f)
		if err != nil {
			http.Error(q.w, err.Error(), http.StatusInternalServerError)
			return
		}
		h.Set("ETag", etag("-hash"))
		http.ServeContent(q.w, q.r, name, st.ModTime(), bytes.NewReader(body))
		return
	}
	if !isSet {
		h.Set("ETag", etag(""))
		http.ServeContent(q.w, q.r, name, st.ModTime(), f)
		return
	}
	switch q.kind {
	case CorruptFlip:
		h.Set("ETag", etag("-flip"))
		http.ServeContent(q.w, q.r, name, st.ModTime(), io.NewSectionReader(flipAt{f, st.Size() / 2}, 0, st.Size()))
	case CorruptTruncated, CorruptStall:
		s.serveHalf(q, f, st, q.kind == CorruptStall)
	case CorruptDie:
		s.serveDying(q, f, st)
	case CorruptDieOnce:
		if q.firstGet {
			s.serveDying(q, f, st)
			return
		}
		h.Set("ETag", etag(""))
		http.ServeContent(q.w, q.r, name, st.ModTime(), f)
	default:
		h.Set("ETag", etag(""))
		http.ServeContent(q.w, q.r, name, st.ModTime(), f)
	}
}

// wrongManifest is MANIFEST with every sha256 replaced by the sha256 of
// its hex text: well formed, and wrong for every set.
func wrongManifest(r io.Reader) ([]byte, error) {
	entries, err := ParseManifest(r)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		sum := sha256.Sum256([]byte(entries[i].SHA256))
		entries[i].SHA256 = hex.EncodeToString(sum[:])
	}
	return FormatManifest(entries), nil
}

// flipAt reads a file with the byte at one offset inverted.
type flipAt struct {
	f  io.ReaderAt
	at int64
}

func (x flipAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := x.f.ReadAt(p, off)
	if x.at >= off && x.at < off+int64(n) {
		p[x.at-off] ^= 0xff
	}
	return n, err
}

// fullHeaders sets the headers of a complete 200 response for the file.
// The misbehaving kinds ignore Range: a 200 is a valid answer to one, and
// it keeps each kind failing the same way however a client retries.
func fullHeaders(h http.Header, st os.FileInfo) {
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	h.Set("Last-Modified", st.ModTime().UTC().Format(http.TimeFormat))
}

// serveHalf announces the whole file and sends half of it. Returning with
// less written than the Content-Length makes net/http close the
// connection; with stall set it first waits for the client to leave.
func (s *Server) serveHalf(q *request, f *os.File, st os.FileInfo, stall bool) {
	fullHeaders(q.w.Header(), st)
	q.w.WriteHeader(http.StatusOK)
	if q.r.Method == http.MethodHead {
		return
	}
	if _, err := io.CopyN(q.w, f, st.Size()/2); err != nil {
		return
	}
	_ = http.NewResponseController(q.w).Flush()
	if stall {
		select {
		case <-q.r.Context().Done():
		case <-s.stop:
		}
	}
}

// serveDying sends half the file on the raw connection and then resets
// it, the way a crashing server or a broken middlebox ends a transfer.
func (s *Server) serveDying(q *request, f *os.File, st os.FileInfo) {
	if q.r.Method == http.MethodHead {
		fullHeaders(q.w.Header(), st)
		q.w.WriteHeader(http.StatusOK)
		return
	}
	conn, rw, err := http.NewResponseController(q.w).Hijack()
	if err != nil {
		// Not HTTP/1: the best remaining imitation is a short body.
		s.serveHalf(q, f, st, false)
		return
	}
	defer conn.Close()
	h := http.Header{}
	fullHeaders(h, st)
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	_ = h.Write(&head)
	head.WriteString("\r\n")
	if _, err := rw.Write(head.Bytes()); err != nil {
		return
	}
	n, _ := io.CopyN(rw, f, st.Size()/2)
	*q.hijacked += n
	if err := rw.Flush(); err != nil {
		return
	}
	// With a zero linger time, close sends RST instead of FIN.
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
}

// Running is a mirror server listening on a TCP address.
type Running struct {
	*Server
	// URL is the base URL, e.g. http://127.0.0.1:41234 (no trailing
	// slash); a release is at URL + ReleasePath(machine, release).
	URL    string
	srv    *http.Server
	errc   chan error
	closed sync.Once
	err    error
}

// Start serves the mirror tree under root on addr (e.g. "127.0.0.1:0")
// until Close is called.
func Start(addr, root string) (*Running, error) {
	if !isDir(filepath.Join(root, filepath.FromSlash(MirrorPrefix))) {
		return nil, fmt.Errorf("%s: no %s tree (build the mirror first)", root, MirrorPrefix)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := NewServer(root)
	run := &Running{
		Server: s,
		URL:    "http://" + ln.Addr().String(),
		srv:    &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second},
		errc:   make(chan error, 1),
	}
	go func() { run.errc <- run.srv.Serve(ln) }()
	return run, nil
}

// Close stops listening and drops every connection, stalled ones included.
func (r *Running) Close() error {
	r.closed.Do(func() {
		r.Stop()
		r.err = r.srv.Close()
		if serr := <-r.errc; !errors.Is(serr, http.ErrServerClosed) {
			r.err = errors.Join(r.err, serr)
		}
	})
	return r.err
}
