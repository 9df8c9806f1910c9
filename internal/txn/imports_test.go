package txn

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// txn sits below everything that changes the tree: jail, release and
// plugin use it, and it uses none of them.
func TestImportsPointOneWay(t *testing.T) {
	allowed := map[string]bool{
		"github.com/jcage/jcage/internal/atomicfile": true,
		"github.com/jcage/jcage/internal/config":     true,
		"github.com/jcage/jcage/internal/confine":    true,
		"github.com/jcage/jcage/internal/host":       true,
		"github.com/jcage/jcage/internal/layout":     true,
		"github.com/jcage/jcage/internal/zfs":        true,
		"golang.org/x/sys/unix":                      true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
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
			if strings.Contains(p, ".") && !allowed[p] {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
