package mirror

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func testServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	s := NewServer(fixture(t))
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		s.Stop()
		hs.Close()
	})
	return s, hs
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func mustGet(t *testing.T, url string, status int) []byte {
	t.Helper()
	resp, body, err := get(t, url)
	if err != nil {
		t.Fatalf("GET %s: body: %v", url, err)
	}
	if resp.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d", url, resp.StatusCode, status)
	}
	return body
}

func setBytes(t *testing.T, machine, rel, file string) []byte {
	t.Helper()
	return must(os.ReadFile(filepath.Join(fixtureDir(t, machine, rel), file)))
}

// iocageReleases scrapes a listing exactly as iocage's fetch does: split
// on whitespace, keep tokens mentioning -RELEASE, strip characters.
// (Python's str.strip(chars) is Go's strings.Trim.)
func iocageReleases(page []byte) []string {
	var rels []string
	for _, tok := range strings.Fields(string(page)) {
		parts := strings.Split(strings.Trim(strings.Trim(tok, "href="), "/"), ">")
		if strings.Contains(parts[0], "-RELEASE") {
			r := strings.Trim(strings.Trim(strings.Trim(strings.Trim(parts[0], `"`), "/"), "/</a"), `title="`)
			if !slices.Contains(rels, r) {
				rels = append(rels, r)
			}
		}
	}
	sort.Strings(rels)
	return rels
}

func TestListings(t *testing.T) {
	_, hs := testServer(t)
	// iocage asks for SERVER/ftp/releases/amd64 without the slash and
	// follows the redirect.
	page := mustGet(t, hs.URL+"/ftp/releases/amd64", 200)
	if got := iocageReleases(page); !slices.Equal(got, []string{"13.4-RELEASE", "14.3-RELEASE"}) {
		t.Errorf("iocage sees %v in the amd64 listing", got)
	}
	if !bytes.Contains(page, []byte(`<a href="amd64/" title="amd64">amd64/</a>`)) {
		t.Error("amd64 listing lacks the amd64/ directory")
	}
	if got := iocageReleases(mustGet(t, hs.URL+"/ftp/releases/amd64/amd64/", 200)); !slices.Equal(got, []string{"13.4-RELEASE", "14.3-RELEASE"}) {
		t.Errorf("iocage sees %v in amd64/amd64/", got)
	}
	// arm64 releases live only under arm64/aarch64/.
	if got := iocageReleases(mustGet(t, hs.URL+"/ftp/releases/arm64/", 200)); len(got) != 0 {
		t.Errorf("arm64/ lists releases %v", got)
	}
	if got := iocageReleases(mustGet(t, hs.URL+"/ftp/releases/arm64/aarch64/", 200)); !slices.Equal(got, []string{"14.3-RELEASE"}) {
		t.Errorf("iocage sees %v in arm64/aarch64/", got)
	}
	top := string(mustGet(t, hs.URL+"/ftp/releases/", 200))
	if !strings.Contains(top, `href="amd64/"`) || !strings.Contains(top, `href="arm64/"`) {
		t.Errorf("top listing lacks the machines:\n%s", top)
	}
	rel := string(mustGet(t, hs.URL+"/ftp/releases/amd64/14.3-RELEASE/", 200))
	for _, f := range []string{"MANIFEST", "base.txz", "lib32.txz", "src.txz"} {
		if !strings.Contains(rel, `href="`+f+`"`) {
			t.Errorf("release listing lacks %s", f)
		}
	}
	if strings.Contains(rel, buildInfoFile) {
		t.Error("release listing shows the build record")
	}

	// A release directory without its slash redirects, as nginx does.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(hs.URL + "/ftp/releases/amd64/14.3-RELEASE")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/ftp/releases/amd64/14.3-RELEASE/" {
		t.Errorf("no-slash release: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestGoodPath(t *testing.T) {
	_, hs := testServer(t)
	base := setBytes(t, "amd64", "14.3-RELEASE", "base.txz")
	for _, p := range []string{
		"/ftp/releases/amd64/amd64/14.3-RELEASE/base.txz",
		"/ftp/releases/amd64/14.3-RELEASE/base.txz", // iocage's spelling
		"/releases/amd64/amd64/14.3-RELEASE/base.txz",
		"/pub/FreeBSD/releases/amd64/amd64/14.3-RELEASE/base.txz",
	} {
		resp, body, err := get(t, hs.URL+p)
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(body, base) {
			t.Errorf("GET %s: %d, %d bytes, %v", p, resp.StatusCode, len(body), err)
			continue
		}
		if resp.ContentLength != int64(len(base)) || resp.Header.Get("Accept-Ranges") != "bytes" {
			t.Errorf("GET %s: Content-Length %d, Accept-Ranges %q", p, resp.ContentLength, resp.Header.Get("Accept-Ranges"))
		}
	}
	manifest := mustGet(t, hs.URL+"/ftp/releases/arm64/aarch64/14.3-RELEASE/MANIFEST", 200)
	if !bytes.Equal(manifest, setBytes(t, "arm64", "14.3-RELEASE", "MANIFEST")) {
		t.Error("arm64 MANIFEST differs from the file")
	}
	for _, p := range []string{
		"/ftp/releases/arm64/14.3-RELEASE/base.txz", // iocage's arm64 guess: not a mirror path
		"/ftp/releases/amd64/amd64/15.0-RELEASE/",
		"/ftp/releases/amd64/amd64/14.3-RELEASE/kernel.txz",
		"/ftp/releases/amd64/amd64/14.3-RELEASE/" + buildInfoFile,
		"/ftp/releases/amd64/amd64/14.3-RELEASE/base.txz/",
		"/ftp/releases/amd64/amd64/14.3-RELEASE/../../../../../etc/passwd",
		"/ftp/releases/amd64/amd64/..%2f..%2f..%2f/MANIFEST",
		"/ftp/releases/vax/",
		"/ftp/releases/i386/",
		"/ftp/releasesx/amd64/",
		"/corrupt/bogus/ftp/releases/amd64/",
		"/nothing",
	} {
		if resp, _, _ := get(t, hs.URL+p); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	resp, err := http.Head(hs.URL + "/ftp/releases/amd64/amd64/14.3-RELEASE/base.txz")
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != int64(len(base)) {
		t.Errorf("HEAD base.txz: %v %v", resp, err)
	}
	if resp, _, _ := get(t, hs.URL+"/ftp/releases/amd64/"); resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("listing Content-Type %q", resp.Header.Get("Content-Type"))
	}
}

func TestRange(t *testing.T) {
	_, hs := testServer(t)
	url := hs.URL + "/ftp/releases/amd64/amd64/14.3-RELEASE/base.txz"
	base := setBytes(t, "amd64", "14.3-RELEASE", "base.txz")

	resp, body, err := get(t, url, "Range", "bytes=100-199")
	if err != nil || resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, base[100:200]) {
		t.Fatalf("bytes=100-199: %d, %d bytes, %v", resp.StatusCode, len(body), err)
	}
	if cr := resp.Header.Get("Content-Range"); cr != fmt.Sprintf("bytes 100-199/%d", len(base)) {
		t.Errorf("Content-Range %q", cr)
	}
	// Resuming: the rest of the file from an offset, guarded by If-Range.
	etag := resp.Header.Get("ETag")
	off := len(base) / 3
	resp, body, err = get(t, url, "Range", fmt.Sprintf("bytes=%d-", off), "If-Range", etag)
	if err != nil || resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, base[off:]) {
		t.Fatalf("resume: %d, %d bytes, %v", resp.StatusCode, len(body), err)
	}
	// A stale validator gets the whole file.
	resp, body, _ = get(t, url, "Range", fmt.Sprintf("bytes=%d-", off), "If-Range", `"stale"`)
	if resp.StatusCode != 200 || !bytes.Equal(body, base) {
		t.Errorf("stale If-Range: %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, _, _ = get(t, url, "Range", fmt.Sprintf("bytes=%d-", len(base)+10))
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("range past the end: %d", resp.StatusCode)
	}
}

func TestCorruptHashAndFlip(t *testing.T) {
	_, hs := testServer(t)
	rel := "/ftp/releases/amd64/amd64/14.3-RELEASE/"
	good := must(ParseManifest(bytes.NewReader(setBytes(t, "amd64", "14.3-RELEASE", "MANIFEST"))))

	bad := must(ParseManifest(bytes.NewReader(mustGet(t, hs.URL+CorruptPrefix(CorruptHash)+rel+"MANIFEST", 200))))
	if len(bad) != len(good) {
		t.Fatalf("hash MANIFEST has %d entries, want %d", len(bad), len(good))
	}
	for i := range good {
		if bad[i].SHA256 == good[i].SHA256 || bad[i].File != good[i].File || bad[i].Entries != good[i].Entries {
			t.Errorf("hash MANIFEST entry %+v, good %+v", bad[i], good[i])
		}
		body := mustGet(t, hs.URL+CorruptPrefix(CorruptHash)+rel+good[i].File, 200)
		if !bytes.Equal(body, setBytes(t, "amd64", "14.3-RELEASE", good[i].File)) {
			t.Errorf("hash: %s is not the intact set", good[i].File)
		}
	}

	base := setBytes(t, "amd64", "14.3-RELEASE", "base.txz")
	flipped := mustGet(t, hs.URL+CorruptPrefix(CorruptFlip)+rel+"base.txz", 200)
	if len(flipped) != len(base) {
		t.Fatalf("flip: %d bytes, want %d", len(flipped), len(base))
	}
	var diffs []int
	for i := range base {
		if base[i] != flipped[i] {
			diffs = append(diffs, i)
		}
	}
	if !slices.Equal(diffs, []int{len(base) / 2}) {
		t.Errorf("flip: bytes differ at %v, want only %d", diffs, len(base)/2)
	}
	// The flipped byte is also there through a range.
	resp, body, _ := get(t, hs.URL+CorruptPrefix(CorruptFlip)+rel+"base.txz", "Range", fmt.Sprintf("bytes=%d-%d", len(base)/2, len(base)/2))
	if resp.StatusCode != 206 || len(body) != 1 || body[0] != base[len(base)/2]^0xff {
		t.Errorf("flip range: %d %v", resp.StatusCode, body)
	}
	// The listings under a corrupt prefix still show the releases.
	if got := iocageReleases(mustGet(t, hs.URL+CorruptPrefix(CorruptFlip)+"/ftp/releases/amd64", 200)); len(got) != 2 {
		t.Errorf("flip listing: %v", got)
	}
}

func TestCorruptCutShort(t *testing.T) {
	_, hs := testServer(t)
	rel := "/ftp/releases/amd64/amd64/14.3-RELEASE/"
	base := setBytes(t, "amd64", "14.3-RELEASE", "base.txz")
	for _, kind := range []string{CorruptTruncated, CorruptDie} {
		url := hs.URL + CorruptPrefix(kind) + rel + "base.txz"
		for try := range 2 { // the same failure every time
			resp, body, err := get(t, url, "Range", "bytes=10-")
			if resp.StatusCode != 200 || resp.ContentLength != int64(len(base)) {
				t.Errorf("%s: status %d, Content-Length %d; want 200 and the full length", kind, resp.StatusCode, resp.ContentLength)
			}
			if err == nil {
				t.Errorf("%s try %d: body read without error (%d bytes)", kind, try, len(body))
			}
			if len(body) > len(base)/2 || !bytes.Equal(body, base[:len(body)]) {
				t.Errorf("%s: got %d bytes, want a prefix of at most half (%d)", kind, len(body), len(base)/2)
			}
			if kind == CorruptTruncated && (len(body) != len(base)/2 || !errors.Is(err, io.ErrUnexpectedEOF)) {
				t.Errorf("truncated: %d bytes, %v; want exactly half then unexpected EOF", len(body), err)
			}
		}
		resp, err := http.Head(url)
		if err != nil || resp.StatusCode != 200 || resp.ContentLength != int64(len(base)) {
			t.Errorf("HEAD %s: %v %v", kind, resp, err)
		}
	}
	// MANIFEST is not affected.
	mustGet(t, hs.URL+CorruptPrefix(CorruptDie)+rel+"MANIFEST", 200)
}

func TestCorruptDieOnce(t *testing.T) {
	s, hs := testServer(t)
	p := CorruptPrefix(CorruptDieOnce) + "/ftp/releases/amd64/amd64/14.3-RELEASE/src.txz"
	src := setBytes(t, "amd64", "14.3-RELEASE", "src.txz")

	if _, body, err := get(t, hs.URL+p); err == nil {
		t.Fatalf("first GET succeeded with %d bytes", len(body))
	}
	if _, body, err := get(t, hs.URL+p); err != nil || !bytes.Equal(body, src) {
		t.Fatalf("second GET: %d bytes, %v", len(body), err)
	}
	resp, body, err := get(t, hs.URL+p, "Range", "bytes=5-")
	if err != nil || resp.StatusCode != 206 || !bytes.Equal(body, src[5:]) {
		t.Fatalf("resume: %d, %d bytes, %v", resp.StatusCode, len(body), err)
	}
	// The server counts a body's bytes after the client has read it.
	st := s.Stats()[p]
	for i := 0; i < 100 && st.Bytes < int64(len(src)+len(src)-5); i++ {
		time.Sleep(10 * time.Millisecond)
		st = s.Stats()[p]
	}
	if st.Requests != 3 || st.Ranges != 1 || st.Bytes < int64(len(src)+len(src)-5) {
		t.Errorf("stats %+v", st)
	}

	// Resetting the stats re-arms the failure.
	req, _ := http.NewRequest(http.MethodDelete, hs.URL+StatsPath, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE %s: %v %v", StatsPath, resp, err)
	}
	if _, _, err := get(t, hs.URL+p); err == nil {
		t.Error("GET after reset succeeded")
	}
}

func TestCorruptStall(t *testing.T) {
	_, hs := testServer(t)
	base := setBytes(t, "amd64", "14.3-RELEASE", "base.txz")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+CorruptPrefix(CorruptStall)+"/ftp/releases/amd64/amd64/14.3-RELEASE/base.txz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	half := make([]byte, len(base)/2)
	if _, err := io.ReadFull(resp.Body, half); err != nil || !bytes.Equal(half, base[:len(half)]) {
		t.Fatalf("first half: %v", err)
	}
	more := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(make([]byte, 1))
		more <- err
	}()
	select {
	case err := <-more:
		t.Fatalf("read past the stall point: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	select {
	case err := <-more:
		if err == nil {
			t.Error("read after cancel succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stalled read did not end after cancel")
	}
}

func TestCorruptMissing(t *testing.T) {
	_, hs := testServer(t)
	rel := "/ftp/releases/amd64/amd64/14.3-RELEASE/"
	p404 := hs.URL + CorruptPrefix(Corrupt404) + rel
	mustGet(t, p404+"MANIFEST", 200)
	for _, f := range []string{"base.txz", "lib32.txz", "src.txz"} {
		mustGet(t, p404+f, 404)
	}
	if listing := mustGet(t, p404, 200); bytes.Contains(listing, []byte(".txz")) {
		t.Error("404 listing shows sets")
	}
	pnm := hs.URL + CorruptPrefix(CorruptNoManifest) + rel
	mustGet(t, pnm+"MANIFEST", 404)
	mustGet(t, pnm+"base.txz", 200)
	if listing := mustGet(t, pnm, 200); bytes.Contains(listing, []byte("MANIFEST")) {
		t.Error("nomanifest listing shows MANIFEST")
	}
}

func TestStatsEndpoint(t *testing.T) {
	_, hs := testServer(t)
	p := "/ftp/releases/amd64/amd64/13.4-RELEASE/MANIFEST"
	mustGet(t, hs.URL+p, 200)
	mustGet(t, hs.URL+p, 200)
	var stats map[string]PathStats
	if err := json.Unmarshal(mustGet(t, hs.URL+StatsPath, 200), &stats); err != nil {
		t.Fatal(err)
	}
	size := int64(len(setBytes(t, "amd64", "13.4-RELEASE", "MANIFEST")))
	if got := stats[p]; got.Requests != 2 || got.Ranges != 0 || got.Bytes != 2*size {
		t.Errorf("stats for %s: %+v", p, got)
	}
	if _, ok := stats[StatsPath]; ok {
		t.Error("the stats endpoint counts itself")
	}
	resp, err := http.Post(hs.URL+StatsPath+"/reset", "", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reset: %v %v", resp, err)
	}
	stats = nil
	if err := json.Unmarshal(mustGet(t, hs.URL+StatsPath, 200), &stats); err != nil || len(stats) != 0 {
		t.Errorf("after reset: %v %v", stats, err)
	}
	resp, err = http.Post(hs.URL+"/ftp/releases/", "", nil)
	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to the tree: %v %v", resp, err)
	}
}

func TestStart(t *testing.T) {
	if _, err := Start("127.0.0.1:0", t.TempDir()); err == nil {
		t.Error("Start on an empty directory succeeded")
	}
	run, err := Start("127.0.0.1:0", fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(run.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", run.URL)
	}
	path, err := ReleasePath("amd64", "14.3-RELEASE")
	if err != nil || path != "/ftp/releases/amd64/amd64/14.3-RELEASE/" {
		t.Fatalf("ReleasePath: %q %v", path, err)
	}
	mustGet(t, run.URL+path+"MANIFEST", 200)

	// A stalled download must not keep Close waiting.
	resp, err := http.Get(run.URL + CorruptPrefix(CorruptStall) + path + "base.txz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	done := make(chan error, 1)
	go func() { done <- run.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung on a stalled request")
	}
	if err := run.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
