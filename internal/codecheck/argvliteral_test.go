package codecheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// builderDirs are the packages that build command lines: internal/argv,
// and internal/zfs for zfs(8) and zpool(8), whose commands it runs
// itself.
var builderDirs = []string{"internal/argv", "internal/zfs"}

// argvLiteralAllowed are the files that still build a command from a
// literal program name while they move to internal/argv. The list may
// only shrink: a file without such a command must leave it, and nothing
// may join it.
var argvLiteralAllowed = map[string]bool{}

// cmdPackages are the packages whose Cmd type is a command to run.
var cmdPackages = map[string]bool{
	"github.com/jcage/jcage/internal/host": true,
	"github.com/jcage/jcage/internal/argv": true,
}

// TestNoArgvLiteralOutsideBuilders fails on every command built from a
// literal program name outside the builders: a host.Cmd (or argv.Cmd)
// literal whose Name is a string literal, and exec.Command or
// exec.CommandContext called with one.
func TestNoArgvLiteralOutsideBuilders(t *testing.T) {
	fset, files := sourceFiles(t)
	found := map[string][]string{} // file -> findings
	for _, f := range files {
		if inDirs(f.rel, builderDirs) {
			continue
		}
		if hits := argvLiterals(fset, f.file); len(hits) > 0 {
			found[f.rel] = hits
		}
	}
	for _, rel := range sortedKeys(found) {
		if argvLiteralAllowed[rel] {
			continue
		}
		for _, h := range found[rel] {
			t.Errorf("%s:%s: build it in internal/argv", rel, h)
		}
	}
	for _, rel := range sortedKeys(argvLiteralAllowed) {
		if _, still := found[rel]; !still {
			t.Errorf("%s builds no command from a literal name (or is gone): remove it from argvLiteralAllowed", rel)
		}
	}
}

func inDirs(rel string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}

// argvLiterals lists, as "LINE: what", each command in f built from a
// literal program name.
func argvLiterals(fset *token.FileSet, f *ast.File) []string {
	cmdNames, execNames := map[string]bool{}, map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := path.Base(p)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		switch {
		case cmdPackages[p]:
			cmdNames[name] = true
		case p == "os/exec":
			execNames[name] = true
		}
	}
	var out []string
	report := func(n ast.Node, format string, args ...any) {
		out = append(out, fmt.Sprintf("%d: %s", fset.Position(n.Pos()).Line, fmt.Sprintf(format, args...)))
	}
	isCmd := func(typ ast.Expr) bool {
		if s, ok := typ.(*ast.StarExpr); ok {
			typ = s.X
		}
		sel, ok := typ.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Cmd" {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		return ok && cmdNames[pkg.Name]
	}
	// checkLit reports a Cmd literal whose program name is a string.
	checkLit := func(lit *ast.CompositeLit) {
		for i, el := range lit.Elts {
			key, val := "", el
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok {
					key = id.Name
				}
				val = kv.Value
			} else if i == 0 {
				key = "Name"
			}
			if s, ok := stringLit(val); ok && key == "Name" {
				report(lit, "a command of %q built from a literal", s)
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if isCmd(n.Type) {
				checkLit(n)
			}
			// []host.Cmd{{Name: ...}} and map[K]host.Cmd{k: {...}}.
			var elem ast.Expr
			switch t := n.Type.(type) {
			case *ast.ArrayType:
				elem = t.Elt
			case *ast.MapType:
				elem = t.Value
			}
			if elem != nil && isCmd(elem) {
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						el = kv.Value
					}
					if u, ok := el.(*ast.UnaryExpr); ok {
						el = u.X
					}
					if inner, ok := el.(*ast.CompositeLit); ok && inner.Type == nil {
						checkLit(inner)
					}
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || !execNames[pkg.Name] {
				return true
			}
			prog := -1
			switch sel.Sel.Name {
			case "Command":
				prog = 0
			case "CommandContext":
				prog = 1
			}
			if prog >= 0 && len(n.Args) > prog {
				if s, ok := stringLit(n.Args[prog]); ok {
					report(n, "exec.%s of %q", sel.Sel.Name, s)
				}
			}
		}
		return true
	})
	return out
}

// stringLit is e's value when e is a string literal.
func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// runsCommands are the imports through which a package can start a
// program.
var runsCommands = []string{"os", "os/exec", "syscall", "golang.org/x/sys/unix"}

// TestBuildersAndPlansRunNothing: the builders and the plans import only
// the standard library, nothing of it that starts a program or touches
// files, and of the module only the pure packages.
func TestBuildersAndPlansRunNothing(t *testing.T) {
	_, files := sourceFiles(t)
	n := 0
	for _, f := range files {
		if !inDirs(f.rel, []string{"internal/argv", "internal/plan"}) {
			continue
		}
		n++
		for _, imp := range f.file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(p, "/")
			if rel, ok := strings.CutPrefix(p, module); ok && slices.Contains(pure, rel) {
				continue
			}
			if strings.Contains(first, ".") || slices.Contains(runsCommands, p) {
				t.Errorf("%s imports %s: the builders and plans run nothing and depend on nothing that does", f.rel, p)
			}
		}
	}
	if n == 0 {
		t.Fatal("no source files in internal/argv or internal/plan")
	}
}
