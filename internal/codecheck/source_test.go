package codecheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// srcFile is one parsed non-test source file of the module.
type srcFile struct {
	rel  string // slash-separated, relative to the module root
	file *ast.File
}

// exemptDirs are the trees these checks do not read: the test world (the
// simulator of FreeBSD's userland, its shims and tools).
var exemptDirs = []string{"internal/testworld"}

// moduleRoot is the directory holding go.mod, found upwards from the
// package directory the test runs in.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// sourceFiles parses every non-test, non-generated .go file of the
// module outside exemptDirs, testdata and hidden directories.
func sourceFiles(t *testing.T) (*token.FileSet, []srcFile) {
	t.Helper()
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var out []srcFile
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "vendor" || isExempt(rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if !ast.IsGenerated(f) {
			out = append(out, srcFile{rel: rel, file: f})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("read %d source files under %s: the walk missed the tree", len(out), root)
	}
	return fset, out
}

func isExempt(rel string) bool {
	for _, d := range exemptDirs {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}
