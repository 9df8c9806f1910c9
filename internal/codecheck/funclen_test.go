package codecheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"sort"
	"testing"
)

// maxFuncLines is the most lines a function's body may hold, counted
// between its braces; a function literal is measured on its own and
// within the function around it.
const maxFuncLines = 80

// longFuncAllowed are the functions still longer than maxFuncLines while
// they are being split, as "path name". The list may only shrink: a
// function that is no longer too long must leave it, and nothing may
// join it.
var longFuncAllowed = map[string]bool{}

// TestNoLongFunctions fails on every function, method and function
// literal outside the test world whose body is longer than maxFuncLines.
func TestNoLongFunctions(t *testing.T) {
	fset, files := sourceFiles(t)
	long := map[string]string{} // "path name" -> where and how long
	for _, f := range files {
		for _, fn := range longFuncs(fset, f) {
			long[f.rel+" "+fn.name] = fmt.Sprintf("%s:%d: %s is %d lines long", f.rel, fn.line, fn.name, fn.lines)
		}
	}
	for _, k := range sortedKeys(long) {
		if !longFuncAllowed[k] {
			t.Errorf("%s; the most is %d: split it into named steps", long[k], maxFuncLines)
		}
	}
	for _, k := range sortedKeys(longFuncAllowed) {
		if _, still := long[k]; !still {
			t.Errorf("%s is no longer than %d lines (or gone): remove it from longFuncAllowed", k, maxFuncLines)
		}
	}
}

type funcLen struct {
	name  string
	line  int
	lines int
}

// longFuncs lists f's functions whose bodies exceed maxFuncLines. A
// function literal is named after the function it is in.
func longFuncs(fset *token.FileSet, f srcFile) []funcLen {
	var out []funcLen
	measure := func(name string, body *ast.BlockStmt) {
		if body == nil {
			return
		}
		open, close := fset.Position(body.Lbrace).Line, fset.Position(body.Rbrace).Line
		if n := close - open - 1; n > maxFuncLines {
			out = append(out, funcLen{name: name, line: open, lines: n})
		}
	}
	for _, d := range f.file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			// Function literals in package-level variables.
			ast.Inspect(d, func(n ast.Node) bool {
				if fl, ok := n.(*ast.FuncLit); ok {
					measure(fmt.Sprintf("func literal at line %d", fset.Position(fl.Pos()).Line), fl.Body)
				}
				return true
			})
			continue
		}
		name := funcName(fd)
		measure(name, fd.Body)
		if fd.Body == nil {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if fl, ok := n.(*ast.FuncLit); ok {
				measure(fmt.Sprintf("%s.func literal at line %d", name, fset.Position(fl.Pos()).Line), fl.Body)
			}
			return true
		})
	}
	return out
}

// funcName is fd's name, with its receiver's type for a method:
// startOne, (*Host).Set.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	typ := fd.Recv.List[0].Type
	star := ""
	if s, ok := typ.(*ast.StarExpr); ok {
		star, typ = "*", s.X
	}
	if ix, ok := typ.(*ast.IndexExpr); ok {
		typ = ix.X
	}
	if ix, ok := typ.(*ast.IndexListExpr); ok {
		typ = ix.X
	}
	recv := "?"
	if id, ok := typ.(*ast.Ident); ok {
		recv = id.Name
	}
	return "(" + star + recv + ")." + fd.Name.Name
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
