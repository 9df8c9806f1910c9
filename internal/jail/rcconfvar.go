package jail

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// setRCConfVar sets KEY="VALUE" in the jail's /etc/rc.conf as sysrc(8)
// writes it: an existing assignment of KEY is replaced in place, else the
// line is appended. The file is resolved inside the jail root and
// replaced atomically; a root without /etc is left alone.
func setRCConfVar(root, key, value string) error {
	etc, err := securejoin.SecureJoin(root, "etc")
	if err != nil {
		return err
	}
	if fi, err := os.Stat(etc); err != nil || !fi.IsDir() {
		return nil
	}
	path := filepath.Join(etc, "rc.conf")
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return errors.New(path + " is not a regular file")
	}
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
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
	return writeFileAtomic(path, []byte(out), 0o644)
}

// rtsoldFor is rtsold_enable for an ip6_addr: YES when it asks for router
// advertisements, NO otherwise (iocage: ioc_create.py create_jail and
// ioc_json.py json_set_value after ip6_addr).
func rtsoldFor(ip6 string) string {
	if strings.Contains(ip6, "accept_rtadv") {
		return "YES"
	}
	return "NO"
}
