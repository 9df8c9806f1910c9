package codecheck

import (
	"go/ast"
	"testing"
)

// eagerBuilders are the calls that build something costly (a compiled
// pattern or template) and so must not run while the program starts:
// in a package-level variable's value or in an init function, they run
// before any command is chosen, for every command.
var eagerBuilders = map[string]bool{
	"regexp.MustCompile":      true,
	"regexp.Compile":          true,
	"regexp.MustCompilePOSIX": true,
	"template.Must":           true,
	"template.New":            true,
}

// TestNothingBuiltAtStartUp fails on a pattern or template built in a
// package-level variable or an init function outside the test world;
// internal/lazyregexp builds a pattern on first use instead.
func TestNothingBuiltAtStartUp(t *testing.T) {
	fset, files := sourceFiles(t)
	for _, f := range files {
		for _, d := range f.file.Decls {
			var scope ast.Node
			switch d := d.(type) {
			case *ast.GenDecl:
				scope = d
			case *ast.FuncDecl:
				if d.Recv != nil || d.Name.Name != "init" || d.Body == nil {
					continue
				}
				scope = d.Body
			}
			if scope == nil {
				continue
			}
			ast.Inspect(scope, func(n ast.Node) bool {
				if _, ok := n.(*ast.FuncLit); ok {
					return false // runs when called, not at start-up
				}
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				if ok && eagerBuilders[pkg.Name+"."+sel.Sel.Name] {
					t.Errorf("%s: %s.%s runs at start-up, for every command: use lazyregexp.New or build it where it is used",
						fset.Position(call.Pos()), pkg.Name, sel.Sel.Name)
				}
				return true
			})
		}
	}
}
