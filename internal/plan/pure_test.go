package plan

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The plan and the argv builders run nothing: neither imports a package
// that runs commands (internal/host, internal/zfs, os/exec) or anything
// of jcage's beyond the pure packages named here.
func TestPureImports(t *testing.T) {
	allowed := map[string]bool{
		"github.com/jcage/jcage/internal/argv":   true,
		"github.com/jcage/jcage/internal/config": true,
		"github.com/jcage/jcage/internal/fstab":  true,
		"github.com/jcage/jcage/internal/layout": true,
	}
	for _, dir := range []string{".", "../argv"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range ast.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p == "os/exec" || p == "os" || p == "syscall" || strings.Contains(p, ".") && !allowed[p] {
					t.Errorf("%s imports %s", f, p)
				}
			}
		}
	}
}
