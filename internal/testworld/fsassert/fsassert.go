// Package fsassert holds file-system checks shared by tests.
package fsassert

import (
	"os"
	"strings"
	"testing"
)

// NoTempFiles fails t when dir holds a writer's temp file (".tmp-" in its
// name): an atomic write that finished or failed leaves none behind.
func NoTempFiles(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}
