package jail

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/jcage/jcage/internal/confine"
)

// SetRCConfVar sets KEY="VALUE" in the jail's /etc/rc.conf as sysrc(8)
// writes it: an existing assignment of KEY is replaced in place, else the
// line is appended. The file is read and replaced through the confined
// helper; a root without /etc of its own is left alone.
func SetRCConfVar(root, key, value string) error {
	if !confine.IsDir(root, "etc") {
		return nil
	}
	b, err := confine.ReadFile(root, "etc/rc.conf")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	line := key + `="` + value + `"`
	lines := strings.SplitAfter(string(b), "\n")
	done := false
	for i, l := range lines {
		k, _, ok := strings.Cut(strings.TrimSpace(l), "=")
		if ok && strings.TrimSpace(k) == key && !done {
			lines[i] = line + "\n"
			done = true
		}
	}
	out := strings.Join(lines, "")
	if !done {
		if out != "" && !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		out += line + "\n"
	}
	if out == string(b) {
		return nil
	}
	return confine.WriteFile(root, "etc/rc.conf", []byte(out), 0o644)
}

// RtsoldFor is rtsold_enable for an ip6_addr: YES when it asks for router
// advertisements, NO otherwise (iocage: ioc_create.py create_jail and
// ioc_json.py json_set_value after ip6_addr).
func RtsoldFor(ip6 string) string {
	if strings.Contains(ip6, "accept_rtadv") {
		return "YES"
	}
	return "NO"
}
