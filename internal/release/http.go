package release

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Transfer defaults: a mirror that sends nothing for IdleTimeout is
// treated as gone, and a file gets Attempts tries, the second after
// RetryDelay and each later one after twice the previous wait.
const (
	DefaultAttempts    = 5
	DefaultRetryDelay  = time.Second
	DefaultIdleTimeout = 60 * time.Second
	maxRetryDelay      = 30 * time.Second
)

// NotFoundError is a 404 from the mirror.
type NotFoundError struct{ URL string }

func (e *NotFoundError) Error() string { return e.URL + ": 404 Not Found" }

// ErrChanged means the server answered a resumed download with a different
// file than the one being resumed.
var ErrChanged = errors.New("the file changed on the server during the download")

// errIdle cancels an attempt whose body stopped arriving.
var errIdle = errors.New("no data received")

// writeError carries a failure of the destination, which no retry fixes.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// HTTPStatusError is any other unwanted status.
type HTTPStatusError struct {
	URL    string
	Status string
	Code   int
}

func (e *HTTPStatusError) Error() string { return e.URL + ": " + e.Status }

// Client downloads files from a mirror: timeouts, bounded retries with
// backoff on transient errors, resume with Range, and iocage's basic or
// digest authentication.
type Client struct {
	HTTP        *http.Client
	Auth        string // "", "basic" or "digest"
	User        string
	Password    string
	Attempts    int
	RetryDelay  time.Duration
	IdleTimeout time.Duration
	// Warn reports a retry; nil is silent.
	Warn func(format string, a ...any)
	// Sleep waits between attempts; nil means a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	digest *digestAuth
}

// ClientOptions builds a Client's transport.
type ClientOptions struct {
	Proxy    string              // -S: every request goes through it
	Insecure bool                // -NV: skip TLS verification
	Getenv   func(string) string // proxy environment; nil means none
}

// NewClient returns a Client with a transport that has timeouts on every
// phase except the body (a release set takes minutes), TLS verification on
// unless asked otherwise, and the proxy from -S or the environment.
func NewClient(o ClientOptions) (*Client, error) {
	proxy, err := proxyFunc(o.Proxy, o.Getenv)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          4,
		// The bytes hashed must be the bytes the mirror stores.
		DisableCompression: true,
		TLSClientConfig:    &tls.Config{InsecureSkipVerify: o.Insecure, MinVersion: tls.VersionTLS12},
	}
	return &Client{
		HTTP:        &http.Client{Transport: tr},
		Attempts:    DefaultAttempts,
		RetryDelay:  DefaultRetryDelay,
		IdleTimeout: DefaultIdleTimeout,
	}, nil
}

// proxyFunc chooses the proxy: -S for everything, else http_proxy,
// https_proxy and no_proxy as curl and fetch(1) read them. (Go's own
// ProxyFromEnvironment is read once per process and never proxies
// loopback addresses.)
func proxyFunc(explicit string, getenv func(string) string) (func(*http.Request) (*url.URL, error), error) {
	if explicit != "" {
		u, err := parseProxy(explicit)
		if err != nil {
			return nil, err
		}
		return http.ProxyURL(u), nil
	}
	if getenv == nil {
		return nil, nil
	}
	get := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	httpProxy := get("HTTP_PROXY", "http_proxy")
	httpsProxy := get("HTTPS_PROXY", "https_proxy")
	noProxy := get("NO_PROXY", "no_proxy")
	var hu, hsu *url.URL
	var err error
	if httpProxy != "" {
		if hu, err = parseProxy(httpProxy); err != nil {
			return nil, err
		}
	}
	if httpsProxy != "" {
		if hsu, err = parseProxy(httpsProxy); err != nil {
			return nil, err
		}
	}
	if hu == nil && hsu == nil {
		return nil, nil
	}
	return func(r *http.Request) (*url.URL, error) {
		if bypassProxy(noProxy, r.URL) {
			return nil, nil
		}
		if r.URL.Scheme == "https" {
			return hsu, nil
		}
		return hu, nil
	}, nil
}

func parseProxy(s string) (*url.URL, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("invalid proxy %q", s)
	}
	return u, nil
}

// bypassProxy applies a no_proxy list: "*", host names (matching their
// subdomains too, with or without a leading dot), host:port, addresses
// and CIDR blocks.
func bypassProxy(list string, u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	for _, e := range strings.Split(list, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		switch {
		case e == "":
			continue
		case e == "*":
			return true
		case strings.Contains(e, "/"):
			if _, n, err := net.ParseCIDR(e); err == nil {
				if ip := net.ParseIP(host); ip != nil && n.Contains(ip) {
					return true
				}
			}
			continue
		}
		if h, p, err := net.SplitHostPort(e); err == nil {
			if p != port {
				continue
			}
			e = h
		}
		e = strings.TrimPrefix(e, ".")
		if host == e || strings.HasSuffix(host, "."+e) {
			return true
		}
	}
	return false
}

// request sends one GET, from byte start when start > 0, answering a
// digest challenge when asked to authenticate that way.
func (c *Client) request(ctx context.Context, rawURL string, start int64, ifRange string) (*http.Response, error) {
	for try := 0; ; try++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", "jcage")
		if start > 0 {
			req.Header.Set("Range", "bytes="+strconv.FormatInt(start, 10)+"-")
			if ifRange != "" {
				req.Header.Set("If-Range", ifRange)
			}
		}
		switch c.Auth {
		case "basic":
			req.SetBasicAuth(c.User, c.Password)
		case "digest":
			c.mu.Lock()
			if c.digest != nil {
				req.Header.Set("Authorization", c.digest.header(http.MethodGet, req.URL.RequestURI()))
			}
			c.mu.Unlock()
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusUnauthorized || c.Auth != "digest" || try > 0 {
			return resp, nil
		}
		d, err := parseDigestChallenge(resp.Header.Values("WWW-Authenticate"), c.User, c.Password)
		drain(resp)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rawURL, err)
		}
		c.mu.Lock()
		c.digest = d
		c.mu.Unlock()
	}
}

func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}

// Get reads a small file (MANIFEST, an index page) whole.
func (c *Client) Get(ctx context.Context, rawURL string, limit int64) ([]byte, error) {
	var b limitedBuffer
	b.limit = limit
	if _, err := c.Download(ctx, rawURL, 0, &b, nil); err != nil {
		return nil, err
	}
	return b.data, nil
}

type limitedBuffer struct {
	data  []byte
	limit int64
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if int64(len(b.data)+len(p)) > b.limit {
		return 0, fmt.Errorf("response larger than %d bytes", b.limit)
	}
	b.data = append(b.data, p...)
	return len(p), nil
}

// Download streams rawURL into w, starting at byte start (what the caller
// already has and fed elsewhere). A transient failure is retried up to
// Attempts times with backoff, each retry asking only for the missing
// bytes. size, when set, learns the file's full size. It returns the
// offset reached, which is the file size on success.
func (c *Client) Download(ctx context.Context, rawURL string, start int64, w io.Writer, size func(int64)) (int64, error) {
	attempts := max(c.Attempts, 1)
	pos := start
	validator := ""
	var last error
	for attempt := 1; attempt <= attempts; attempt++ {
		if attempt > 1 {
			d := c.backoff(attempt - 1)
			if c.Warn != nil {
				c.Warn("%s: %v; retrying in %s (attempt %d of %d)", fileOf(rawURL), last, d, attempt, attempts)
			}
			if err := c.sleep(ctx, d); err != nil {
				return pos, err
			}
		}
		n, v, err := c.attempt(ctx, rawURL, pos, validator, w, size)
		pos += n
		if v != "" {
			validator = v
		}
		if err == nil {
			return pos, nil
		}
		if ctx.Err() != nil {
			return pos, ctx.Err()
		}
		if !transient(err) {
			return pos, err
		}
		last = err
	}
	return pos, fmt.Errorf("%s: giving up after %d attempts: %w", fileOf(rawURL), attempts, last)
}

func fileOf(rawURL string) string {
	if i := strings.LastIndexByte(rawURL, '/'); i >= 0 && i < len(rawURL)-1 {
		return rawURL[i+1:]
	}
	return rawURL
}

func (c *Client) backoff(retry int) time.Duration {
	d := c.RetryDelay
	for i := 1; i < retry && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// validatorOf is what If-Range may carry: a strong ETag, else the
// Last-Modified date.
func validatorOf(resp *http.Response) string {
	if et := resp.Header.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		return et
	}
	return resp.Header.Get("Last-Modified")
}

// attempt makes one request from pos and copies what arrives into w. It
// returns the bytes written and the response's validator.
func (c *Client) attempt(ctx context.Context, rawURL string, pos int64, validator string, w io.Writer, size func(int64)) (int64, string, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	resp, err := c.request(actx, rawURL, pos, validator)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	v := validatorOf(resp)
	skip := int64(0)
	total := int64(-1)
	switch resp.StatusCode {
	case http.StatusOK:
		// A server that ignores Range sends the whole file again: skip
		// what was already delivered, provided it is the same file.
		if pos > 0 && validator != "" && v != validator {
			return 0, v, ErrChanged
		}
		skip = pos
		total = resp.ContentLength
	case http.StatusPartialContent:
		first, tot, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || first > pos {
			return 0, v, fmt.Errorf("%s: bad Content-Range %q for a request from byte %d", rawURL, resp.Header.Get("Content-Range"), pos)
		}
		skip = pos - first
		total = tot
	case http.StatusRequestedRangeNotSatisfiable:
		if _, tot, ok := parseContentRange(resp.Header.Get("Content-Range")); ok && tot == pos {
			if size != nil {
				size(tot)
			}
			return 0, v, nil
		}
		return 0, v, ErrChanged
	case http.StatusNotFound:
		return 0, v, &NotFoundError{URL: rawURL}
	default:
		return 0, v, &HTTPStatusError{URL: rawURL, Status: resp.Status, Code: resp.StatusCode}
	}
	if size != nil && total >= 0 {
		size(total)
	}
	body := &idleReader{r: resp.Body, timeout: c.IdleTimeout, cancel: cancel}
	body.start()
	defer body.stop()
	if skip > 0 {
		if _, err := io.CopyN(io.Discard, body, skip); err != nil {
			return 0, v, c.readErr(actx, err)
		}
	}
	n, err := copyBody(w, body)
	if err != nil {
		var we *writeError
		if errors.As(err, &we) {
			return n, v, err
		}
		return n, v, c.readErr(actx, err)
	}
	if total >= 0 && pos+n != total {
		return n, v, io.ErrUnexpectedEOF
	}
	return n, v, nil
}

func (c *Client) readErr(actx context.Context, err error) error {
	if errors.Is(context.Cause(actx), errIdle) {
		return fmt.Errorf("%w for %s", errIdle, c.IdleTimeout)
	}
	return err
}

// copyBody is io.Copy that tells read failures from write failures.
func copyBody(w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		nr, rerr := r.Read(buf)
		if nr > 0 {
			nw, werr := w.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				return n, &writeError{werr}
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

func parseContentRange(s string) (first, total int64, ok bool) {
	s, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, tot, found := strings.Cut(s, "/")
	if !found {
		return 0, 0, false
	}
	total = -1
	if tot != "*" {
		t, err := strconv.ParseInt(tot, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total = t
	}
	if rng == "*" {
		return 0, total, true
	}
	a, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	f, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return f, total, true
}

// transient reports whether another attempt may succeed.
func transient(err error) bool {
	var nf *NotFoundError
	var st *HTTPStatusError
	var we *writeError
	switch {
	case errors.As(err, &nf), errors.As(err, &we), errors.Is(err, ErrChanged),
		errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &st):
		return st.Code >= 500 || st.Code == http.StatusRequestTimeout || st.Code == http.StatusTooManyRequests
	}
	var ne net.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, errIdle) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, &ne) ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "INTERNAL_ERROR")
}

// idleReader cancels the attempt when no byte arrives for timeout.
type idleReader struct {
	r       io.Reader
	timeout time.Duration
	cancel  context.CancelCauseFunc
	timer   *time.Timer
}

func (i *idleReader) start() {
	if i.timeout > 0 {
		i.timer = time.AfterFunc(i.timeout, func() { i.cancel(errIdle) })
	}
}

func (i *idleReader) stop() {
	if i.timer != nil {
		i.timer.Stop()
	}
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if n > 0 && i.timer != nil {
		i.timer.Reset(i.timeout)
	}
	return n, err
}
