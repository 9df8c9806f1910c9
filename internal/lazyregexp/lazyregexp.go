// Package lazyregexp is a regexp compiled the first time it is used, so
// that a pattern costs nothing to a command that never matches it (the
// standard library's internal/lazyregexp, for the same reason: every
// package-level regexp.MustCompile runs at start-up, before any command
// is chosen).
package lazyregexp

import (
	"regexp"
	"sync"
)

// Regexp is a *regexp.Regexp built on first use. A bad pattern panics
// there, as MustCompile would at start-up; Check compiles every pattern
// made so far, for tests.
type Regexp struct {
	str  string
	once sync.Once
	rx   *regexp.Regexp
}

var (
	mu  sync.Mutex
	all []*Regexp
)

// New returns a Regexp for str, compiled on first use.
func New(str string) *Regexp {
	r := &Regexp{str: str}
	mu.Lock()
	all = append(all, r)
	mu.Unlock()
	return r
}

// Check compiles every pattern made with New so far (in a test binary,
// every package-level one of the packages linked in) and returns the
// first error.
func Check() error {
	mu.Lock()
	defer mu.Unlock()
	for _, r := range all {
		if _, err := regexp.Compile(r.str); err != nil {
			return err
		}
	}
	return nil
}

// Re returns the compiled regexp.
func (r *Regexp) Re() *regexp.Regexp {
	r.once.Do(func() { r.rx = regexp.MustCompile(r.str) })
	return r.rx
}

// String returns the source text of the pattern.
func (r *Regexp) String() string { return r.str }

// MatchString is regexp.Regexp.MatchString.
func (r *Regexp) MatchString(s string) bool { return r.Re().MatchString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (r *Regexp) FindStringSubmatch(s string) []string { return r.Re().FindStringSubmatch(s) }

// FindAllStringSubmatch is regexp.Regexp.FindAllStringSubmatch.
func (r *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return r.Re().FindAllStringSubmatch(s, n)
}

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (r *Regexp) ReplaceAllString(src, repl string) string {
	return r.Re().ReplaceAllString(src, repl)
}

// Match is regexp.Regexp.Match.
func (r *Regexp) Match(b []byte) bool { return r.Re().Match(b) }
