// Package goldenfile gives every test binary of jcage the same -update flag:
// `go test ./... -update` rewrites the expected files (the golden files
// under testdata/, jcage.8's PROPERTIES section) from what the code
// produces now, and a plain run compares against them.
//
// A test binary refuses a flag it does not know, so every package with
// tests imports this one, with goldens or without:
//
//	import _ "github.com/jcage/jcage/internal/testworld/goldenfile"
//
// TestEveryTestPackageTakesUpdate keeps it so.
package goldenfile

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected files (testdata/ goldens, jcage.8's PROPERTIES) from what the code produces")

// Update reports whether the run rewrites the expected files.
func Update() bool { return *update }

// Check compares got with the file at path; under -update it writes got
// there instead, creating the directories it needs.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if Update() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
