package release

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/jcage/jcage/internal/lazyregexp"
)

// confKeys are the keys freebsd-update.conf may hold: the config_*
// functions of usr.sbin/freebsd-update/freebsd-update.sh (FreeBSD 14,
// configline() calls config_${KEY} for each line and fails on any other).
// The value says what jcage does with a key read from a jail's file.
var confKeys = map[string]confKey{
	"KeyPrint":                {check: keyPrintRE},
	"ServerName":              {check: serverNameRE},
	"Components":              {check: componentsRE},
	"IgnorePaths":             {},
	"IDSIgnorePaths":          {},
	"UpdateIfUnmodified":      {},
	"MergeChanges":            {},
	"AllowAdd":                {check: yesNoRE},
	"AllowDelete":             {check: yesNoRE},
	"KeepModifiedMetadata":    {check: yesNoRE},
	"StrictComponents":        {check: yesNoRE},
	"VerboseLevel":            {check: lazyregexp.New(`^(debug|nostats|stats)$`)},
	"WorkDir":                 {drop: true}, // -d names a host-owned one
	"MailTo":                  {drop: true}, // only cron mails
	"BackupKernel":            {drop: true}, // a jail has no kernel
	"BackupKernelDir":         {drop: true},
	"BackupKernelSymbolFiles": {drop: true},
	"CreateBootEnv":           {drop: true}, // 14+: the host's boot environments are not the jail's
}

type confKey struct {
	check *lazyregexp.Regexp // nil: any value free of control characters
	drop  bool
}

var (
	keyPrintRE   = lazyregexp.New(`^[0-9a-f]{64}$`)
	serverNameRE = lazyregexp.New(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$`)
	componentsRE = lazyregexp.New(`^[a-z0-9/_-]+( [a-z0-9/_-]+)*$`)
	yesNoRE      = lazyregexp.New(`^(?i:yes|no)$`)
)

// SanitizeConf turns a freebsd-update.conf read from a root, which the
// jail may have written, into the host-side copy jcage hands to
// freebsd-update with -f: every key one freebsd-update knows, every value
// of the shape that key takes, keys naming host paths or host actions
// dropped, and the kernel left out of
// Components (a jail has none; a kernel stage would stop an install half
// way). A file left with no component updates world. An unknown key or a
// malformed value is an error naming its line.
func SanitizeConf(data []byte) ([]byte, error) {
	var b bytes.Buffer
	have, server := false, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.ContainsFunc(line, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
			return nil, fmt.Errorf("freebsd-update.conf line %d: control character", n)
		}
		code, _, _ := strings.Cut(line, "#")
		f := strings.Fields(code)
		if len(f) == 0 {
			continue
		}
		k, ok := confKeys[f[0]]
		if !ok {
			return nil, fmt.Errorf("freebsd-update.conf line %d: unknown key %q", n, f[0])
		}
		if k.drop {
			continue
		}
		value := strings.Join(f[1:], " ")
		switch f[0] {
		case "Components":
			var keep []string
			for _, c := range f[1:] {
				if c != "kernel" && !strings.HasPrefix(c, "kernel/") {
					keep = append(keep, c)
				}
			}
			if len(keep) == 0 {
				continue
			}
			have = true
			value = strings.Join(keep, " ")
		case "ServerName":
			server = true
		}
		if k.check != nil && !k.check.MatchString(value) {
			return nil, fmt.Errorf("freebsd-update.conf line %d: %s %q is not valid", n, f[0], value)
		}
		// freebsd-update's `while read` loop never sees a last line
		// without its newline.
		b.WriteString(strings.TrimSpace(f[0] + " " + value))
		b.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("freebsd-update.conf: %w", err)
	}
	if !server {
		return nil, fmt.Errorf("freebsd-update.conf has no ServerName")
	}
	if !have {
		b.WriteString("Components world\n")
	}
	return b.Bytes(), nil
}
