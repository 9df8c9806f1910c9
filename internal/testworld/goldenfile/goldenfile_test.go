package goldenfile

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const importPath = "github.com/jcage/jcage/internal/testworld/goldenfile"

// moduleRoot is the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}

// Every directory with tests imports this package, so that
// `go test ./... -update` parses in every test binary; and no test
// defines an update flag of its own.
func TestEveryTestPackageTakesUpdate(t *testing.T) {
	root := moduleRoot(t)
	self, _ := filepath.Abs(".")
	imports := map[string]bool{} // directory -> imports goldenfile
	var own []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, "_test.go") || filepath.Dir(p) == self {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(p))
		imports[dir] = imports[dir] || importsGoldenfile(f)
		own = append(own, updateFlags(fset, f)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 10 {
		t.Fatalf("found tests in only %d directories under %s", len(imports), root)
	}
	var missing []string
	for dir, ok := range imports {
		if !ok {
			missing = append(missing, dir)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("test packages that do not import %s, so `go test ./... -update` fails in them:\n\t%s", importPath, strings.Join(missing, "\n\t"))
	}
	if len(own) > 0 {
		t.Errorf("test flags named update* beside goldenfile's -update:\n\t%s", strings.Join(own, "\n\t"))
	}
}

func importsGoldenfile(f *ast.File) bool {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == importPath {
			return true
		}
	}
	return false
}

// updateFlags finds flag.Bool("update...", ...) and its kin.
func updateFlags(fset *token.FileSet, f *ast.File) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "flag" {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		if name, _ := strconv.Unquote(lit.Value); strings.HasPrefix(name, "update") {
			out = append(out, fset.Position(call.Pos()).String()+": -"+name)
		}
		return true
	})
	return out
}

func TestCheck(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "x.golden")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("same"), 0o644); err != nil {
		t.Fatal(err)
	}
	Check(t, p, []byte("same"))
}
