package confine

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// joinOnRoot is a filepath.Join whose arguments name a root: the shape
// of a path built under a jail root without this package.
var joinOnRoot = regexp.MustCompile(`filepath\.Join\([^)]*([Rr]oot|ROOT)`)

// TestNoJoinOnAJailRoot holds the package's rule over the whole module:
// outside this package, the test world and tests, a filepath.Join on
// something named root is allowed only on a line that says, after
// "confine:", why the path is not under a jail root (IOCROOT, a release's
// root, the root directory itself) or is never opened.
func TestNoJoinOnAJailRoot(t *testing.T) {
	for _, l := range []string{`filepath.Join(root, "etc", "hosts")`, `filepath.Join(j.RootPath(), "x")`, `filepath.Join(jr.root(), "proc")`} {
		if !joinOnRoot.MatchString(l) {
			t.Fatalf("the pattern misses %s", l)
		}
	}
	top, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	n := 0
	err = filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(top, p)
		if d.IsDir() {
			switch {
			case strings.HasPrefix(d.Name(), ".") && p != top, rel == "internal/testworld", rel == "internal/confine":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		n++
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if joinOnRoot.MatchString(text) && !strings.Contains(strings.ToLower(text), "filepath.join(iocroot") && !strings.Contains(text, "// confine: ") {
				bad = append(bad, rel+":"+strconv.Itoa(line)+": "+strings.TrimSpace(text))
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Fatalf("only %d Go files found under %s: the walk is not seeing the module", n, top)
	}
	for _, b := range bad {
		t.Errorf("filepath.Join on a jail root (use internal/confine, or say why with \"// confine: \"):\n\t%s", b)
	}
}
