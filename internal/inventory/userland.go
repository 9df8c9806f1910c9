package inventory

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/jcage/jcage/internal/confine"
	"github.com/jcage/jcage/internal/layout"
	"github.com/jcage/jcage/internal/zfs"
)

// UserlandVersion reads USERLAND_VERSION from ROOT/bin/freebsd-version,
// or "" when it is missing.
func UserlandVersion(root string) string {
	b, err := confine.ReadFile(root, "bin/freebsd-version")
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "USERLAND_VERSION="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

// DependentsError is iocage's refusal to destroy a jail others depend on.
type DependentsError struct {
	Name       string
	Dependents []string
}

func (e *DependentsError) Error() string {
	// A cloned jail depends twice, by its dataset and by its root: it is
	// named once.
	var names []string
	seen := map[string]bool{}
	for _, d := range e.Dependents {
		if ds, ok := layout.RootOwner(d); ok {
			d = ds
		}
		n := layout.Base(d)
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	return fmt.Sprintf("%s has dependent jails (who may also have dependents), use --recursive to destroy:\n%s", e.Name, strings.Join(names, "\n"))
}

// Is makes a DependentsError match zfs.ErrHasClones.
func (e *DependentsError) Is(target error) bool { return target == zfs.ErrHasClones }
