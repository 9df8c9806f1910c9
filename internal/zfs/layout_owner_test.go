package zfs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/layout"
)

// treeParts are the components of iocage's tree that only Layout and
// Dirs may put into a name or a path.
var treeParts = append([]string{layout.RootName, layout.RootChild, layout.DataChild}, layout.TreeDirs...)

// Files that join such words for another tree: the release mirror's URL
// layout (ftp/releases/ARCH/...).
var notTheTree = map[string]bool{"internal/release/names.go": true}

// Nothing outside internal/layout builds a dataset name or an IOCROOT path of
// iocage's tree by hand: no "+" with a literal like "/root" or
// "iocage/jails/", no filepath.Join with "jails" or "releases", no suffix
// test for "/root".
func TestNoHandBuiltTreeNames(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	fset := token.NewFileSet()
	var found []string
	report := func(n ast.Node, what string) {
		found = append(found, fset.Position(n.Pos()).String()+": "+what)
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != root || d.Name() == "testdata" || rel == "internal/testworld" || rel == "internal/zfs/zfstest" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || rel == "internal/layout/layout.go" || notTheTree[rel] {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if n.Op != token.ADD {
					return true
				}
				for _, side := range []ast.Expr{n.X, n.Y} {
					if s, ok := literal(side); ok && strings.Contains(s, "/") && !strings.ContainsAny(s, " \n") && namesTree(strings.Split(s, "/")) {
						report(side, "joins "+strconv.Quote(s))
					}
				}
			case *ast.CallExpr:
				switch callee(n) {
				case "filepath.Join", "path.Join":
					for _, a := range n.Args[1:] {
						if s, ok := literal(a); ok && namesTree(strings.Split(s, "/")) && s != layout.RootChild {
							report(a, "joins "+strconv.Quote(s))
						}
					}
				case "strings.TrimSuffix", "strings.HasSuffix", "strings.CutSuffix":
					if s, ok := literal(n.Args[len(n.Args)-1]); ok && s == "/"+layout.RootChild {
						report(n, "tests for "+strconv.Quote(s))
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("names of iocage's tree built outside layout.Layout and layout.Dirs:\n\t%s", strings.Join(found, "\n\t"))
	}
}

func literal(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func callee(c *ast.CallExpr) string {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return ""
	}
	return x.Name + "." + sel.Sel.Name
}

func namesTree(parts []string) bool {
	for _, p := range parts {
		if slices.Contains(treeParts, p) {
			return true
		}
	}
	return false
}
