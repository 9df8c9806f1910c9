package release

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClient retries quickly and records its waits.
func testClient(t *testing.T, o ClientOptions) (*Client, *[]time.Duration) {
	t.Helper()
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	c.RetryDelay = 10 * time.Millisecond
	c.Attempts = 4
	c.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	return c, &waits
}

var payload = bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB

// flaky serves payload, misbehaving on the requests numbered in fail.
type flaky struct {
	mu      sync.Mutex
	n       int
	reqs    []*http.Request
	handler func(n int, w http.ResponseWriter, r *http.Request) bool // true: handled
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.n++
	n := f.n
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	if f.handler != nil && f.handler(n, w, r) {
		return
	}
	w.Header().Set("ETag", `"v1"`)
	http.ServeContent(w, r, "f", time.Unix(1e9, 0), bytes.NewReader(payload))
}

func (f *flaky) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...)
}

// cut sends the headers of the whole file and only its first half.
func cut(w http.ResponseWriter) {
	w.Header().Set("ETag", `"v1"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
	w.WriteHeader(http.StatusOK)
	w.Write(payload[:len(payload)/2])
}

func TestDownloadRetriesAndResumes(t *testing.T) {
	f := &flaky{handler: func(n int, w http.ResponseWriter, r *http.Request) bool {
		switch n {
		case 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case 2:
			cut(w)
		default:
			return false
		}
		return true
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, waits := testClient(t, ClientOptions{})
	var out bytes.Buffer
	var total int64
	n, err := c.Download(context.Background(), srv.URL+"/base.txz", 0, &out, func(s int64) { total = s })
	if err != nil || n != int64(len(payload)) || !bytes.Equal(out.Bytes(), payload) || total != int64(len(payload)) {
		t.Fatalf("n %d total %d err %v, %d bytes", n, total, err, out.Len())
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	if r := reqs[2]; r.Header.Get("Range") != fmt.Sprintf("bytes=%d-", len(payload)/2) || r.Header.Get("If-Range") != `"v1"` {
		t.Errorf("resume request Range %q If-Range %q", r.Header.Get("Range"), r.Header.Get("If-Range"))
	}
	if fmt.Sprint(*waits) != "[10ms 20ms]" {
		t.Errorf("backoff %v", *waits)
	}
}

// A server that ignores Range resends the file from the start: the bytes
// already delivered are skipped, unless the file changed meanwhile.
func TestDownloadWithoutRangeSupport(t *testing.T) {
	for _, changed := range []bool{false, true} {
		f := &flaky{handler: func(n int, w http.ResponseWriter, r *http.Request) bool {
			if n == 1 {
				cut(w)
				return true
			}
			if changed {
				w.Header().Set("ETag", `"v2"`)
			} else {
				w.Header().Set("ETag", `"v1"`)
			}
			w.Write(payload)
			return true
		}}
		srv := httptest.NewServer(f)
		c, _ := testClient(t, ClientOptions{})
		var out bytes.Buffer
		_, err := c.Download(context.Background(), srv.URL+"/base.txz", 0, &out, nil)
		srv.Close()
		if changed {
			if !errors.Is(err, ErrChanged) || len(f.requests()) != 2 {
				t.Errorf("changed file: %v after %d requests", err, len(f.requests()))
			}
			continue
		}
		if err != nil || !bytes.Equal(out.Bytes(), payload) {
			t.Errorf("same file: %v, %d bytes", err, out.Len())
		}
	}
}

func TestDownloadGivesUp(t *testing.T) {
	for _, c := range []struct {
		name    string
		handler func(n int, w http.ResponseWriter, r *http.Request) bool
		want    string
		tries   int
	}{
		{"404", func(int, http.ResponseWriter, *http.Request) bool { return false }, "404 Not Found", 1},
		{"403", func(_ int, w http.ResponseWriter, _ *http.Request) bool { http.Error(w, "no", 403); return true }, "403 Forbidden", 1},
		{"500", func(_ int, w http.ResponseWriter, _ *http.Request) bool { http.Error(w, "no", 500); return true }, "giving up after 4 attempts: ", 4},
		{"short", func(_ int, w http.ResponseWriter, _ *http.Request) bool { cut(w); return true }, "giving up after 4 attempts: unexpected EOF", 4},
		{"stall", func(_ int, w http.ResponseWriter, r *http.Request) bool {
			cut(w)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return true
		}, "no data received for 50ms", 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &flaky{handler: c.handler}
			srv := httptest.NewServer(f)
			defer srv.Close()
			cl, _ := testClient(t, ClientOptions{})
			cl.IdleTimeout = 50 * time.Millisecond
			path := "/base.txz"
			if c.name == "404" {
				path = "/missing"
				srv.Config.Handler = http.NotFoundHandler()
			}
			_, err := cl.Download(context.Background(), srv.URL+path, 0, &bytes.Buffer{}, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			if c.name != "404" && len(f.requests()) != c.tries {
				t.Errorf("%d requests, want %d", len(f.requests()), c.tries)
			}
		})
	}
	// Cancelling stops at once.
	srv := httptest.NewServer(&flaky{})
	defer srv.Close()
	cl, _ := testClient(t, ClientOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cl.Download(ctx, srv.URL+"/x", 0, &bytes.Buffer{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	// A full destination is no reason to retry.
	if _, err := cl.Get(context.Background(), srv.URL+"/x", 1000); err == nil || !strings.Contains(err.Error(), "larger than 1000 bytes") {
		t.Errorf("limit: %v", err)
	}
}

func TestBasicAuth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "anonymous" || p != "anonymous@" {
			w.Header().Set("WWW-Authenticate", `Basic realm="m"`)
			http.Error(w, "who?", http.StatusUnauthorized)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	c, _ := testClient(t, ClientOptions{})
	if _, err := c.Get(context.Background(), srv.URL, 10); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("without auth: %v", err)
	}
	c.Auth, c.User, c.Password = "basic", "anonymous", "anonymous@"
	if b, err := c.Get(context.Background(), srv.URL, 10); err != nil || string(b) != "ok" {
		t.Errorf("basic: %q %v", b, err)
	}
}

// digestServer checks RFC 7616 responses with a fresh nonce per
// challenge.
func digestServer(t *testing.T, algorithm string, qop bool) http.Handler {
	var mu sync.Mutex
	nonces := 0
	newHash := md5.New
	if strings.HasPrefix(algorithm, "SHA-256") {
		newHash = sha256.New
	}
	h := func(s string) string {
		x := newHash()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Digest ")
		if ok {
			p := parseAuthParams(auth)
			ha1 := h("user:mirror:secret")
			if strings.HasSuffix(algorithm, "-sess") {
				ha1 = h(ha1 + ":" + p["nonce"] + ":" + p["cnonce"])
			}
			ha2 := h(r.Method + ":" + r.URL.RequestURI())
			want := h(ha1 + ":" + p["nonce"] + ":" + ha2)
			if qop {
				want = h(strings.Join([]string{ha1, p["nonce"], p["nc"], p["cnonce"], "auth", ha2}, ":"))
			}
			if p["response"] == want && p["uri"] == r.URL.RequestURI() && p["username"] == "user" && p["opaque"] == "op" {
				w.Write([]byte("ok"))
				return
			}
		}
		mu.Lock()
		nonces++
		n := nonces
		mu.Unlock()
		ch := fmt.Sprintf(`Digest realm="mirror", nonce="n%d", opaque="op"`, n)
		if algorithm != "" {
			ch += ", algorithm=" + algorithm
		}
		if qop {
			ch += `, qop="auth,auth-int"`
		}
		w.Header().Add("WWW-Authenticate", `Basic realm="x"`)
		w.Header().Add("WWW-Authenticate", ch)
		http.Error(w, "who?", http.StatusUnauthorized)
	})
}

func TestDigestAuth(t *testing.T) {
	for _, c := range []struct {
		alg string
		qop bool
	}{{"", false}, {"MD5", true}, {"MD5-sess", true}, {"SHA-256", true}, {"SHA-256-sess", true}} {
		srv := httptest.NewServer(digestServer(t, c.alg, c.qop))
		cl, _ := testClient(t, ClientOptions{})
		cl.Auth, cl.User, cl.Password = "digest", "user", "secret"
		for i := 0; i < 2; i++ {
			if b, err := cl.Get(context.Background(), srv.URL+"/ftp/x?y=1", 10); err != nil || string(b) != "ok" {
				t.Errorf("%s qop=%v request %d: %q %v", c.alg, c.qop, i, b, err)
			}
		}
		cl.Password = "wrong"
		cl.digest = nil
		if _, err := cl.Get(context.Background(), srv.URL+"/ftp/x", 10); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("%s: wrong password: %v", c.alg, err)
		}
		srv.Close()
	}
	if _, err := parseDigestChallenge([]string{`Basic realm="x"`}, "u", "p"); err == nil {
		t.Error("no digest challenge accepted")
	}
	if _, err := parseDigestChallenge([]string{`Digest realm="x", nonce="n", algorithm=SHA-512-256`}, "u", "p"); err == nil {
		t.Error("unknown algorithm accepted")
	}
}

// proxyServer answers every request itself, as a forward proxy would.
func proxyServer(seen *[]string) *httptest.Server {
	var mu sync.Mutex
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		*seen = append(*seen, r.URL.String())
		mu.Unlock()
		w.Write([]byte("via proxy"))
	}))
}

func TestProxy(t *testing.T) {
	var seen []string
	proxy := proxyServer(&seen)
	defer proxy.Close()
	direct := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("direct")) }))
	defer direct.Close()

	// -S: every request, loopback included.
	c, _ := testClient(t, ClientOptions{Proxy: strings.TrimPrefix(proxy.URL, "http://")})
	if b, err := c.Get(context.Background(), direct.URL+"/a", 100); err != nil || string(b) != "via proxy" {
		t.Errorf("-S: %q %v", b, err)
	}
	// The environment, with no_proxy.
	env := map[string]string{"http_proxy": proxy.URL, "NO_PROXY": "skip.example,.internal"}
	c, _ = testClient(t, ClientOptions{Getenv: func(k string) string { return env[k] }})
	if b, err := c.Get(context.Background(), "http://download.example/ftp/releases/", 100); err != nil || string(b) != "via proxy" {
		t.Errorf("http_proxy: %q %v", b, err)
	}
	if len(seen) != 2 || seen[1] != "http://download.example/ftp/releases/" {
		t.Errorf("proxy saw %v", seen)
	}
	// No proxy configured: direct.
	c, _ = testClient(t, ClientOptions{Getenv: func(string) string { return "" }})
	if b, err := c.Get(context.Background(), direct.URL, 100); err != nil || string(b) != "direct" {
		t.Errorf("no proxy: %q %v", b, err)
	}
	if _, err := NewClient(ClientOptions{Proxy: "http://"}); err == nil {
		t.Error("bad -S accepted")
	}

	for _, c := range []struct {
		list, url string
		want      bool
	}{
		{"*", "http://a.example/", true},
		{"a.example", "http://a.example/", true},
		{"example", "http://a.example/", true},
		{".example", "http://a.example:8080/", true},
		{"b.example", "http://a.example/", false},
		{"xample", "http://a.example/", false},
		{"a.example:8080", "http://a.example:8080/", true},
		{"a.example:8080", "http://a.example:9090/", false},
		{"10.0.0.0/8", "http://10.1.2.3/", true},
		{"10.0.0.0/8", "http://11.1.2.3/", false},
		{"127.0.0.1", "http://127.0.0.1:3128/", true},
		{"", "http://a/", false},
	} {
		u, _ := url.Parse(c.url)
		if got := bypassProxy(c.list, u); got != c.want {
			t.Errorf("no_proxy %q for %s: %v", c.list, c.url, got)
		}
	}
}

func TestTLSVerification(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secure")) }))
	defer srv.Close()
	c, _ := testClient(t, ClientOptions{})
	if _, err := c.Get(context.Background(), srv.URL, 100); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("self-signed certificate accepted by default: %v", err)
	}
	c, _ = testClient(t, ClientOptions{Insecure: true})
	if b, err := c.Get(context.Background(), srv.URL, 100); err != nil || string(b) != "secure" {
		t.Errorf("-NV: %q %v", b, err)
	}
}

func TestParseContentRange(t *testing.T) {
	for in, want := range map[string][3]int64{
		"bytes 100-199/200": {100, 200, 1},
		"bytes 0-0/*":       {0, -1, 1},
		"bytes */200":       {0, 200, 1},
		"bytes x-1/2":       {0, 0, 0},
		"items 1-2/3":       {0, 0, 0},
	} {
		a, tot, ok := parseContentRange(in)
		if got := [3]int64{a, tot, map[bool]int64{true: 1}[ok]}; ok && got != want || !ok && want[2] != 0 {
			t.Errorf("%q: %v", in, got)
		}
	}
}
