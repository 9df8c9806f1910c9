package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/jcage/jcage/internal/lazyregexp"
)

// The log iocage keeps. iocage_cli/__init__.py IOCLogger: as root, every
// message also goes to $IOCAGE_LOGFILE (default /var/log/iocage.log),
// "%Y/%m/%d %H:%M:%S (LEVEL) message", rotated at 10 MiB with 5 old files
// kept (logging.handlers.RotatingFileHandler). Each message carries the
// level its logit call gives it (iocage_lib/ioc_common.py callback): INFO,
// NOTICE and VERBOSE go to standard output, WARNING and ERROR (and
// EXCEPTION, logged as ERROR) to standard error, DEBUG only with -D. jcage
// writes each line of its output with the level of its kind of message
// (messageLevels), else INFO for standard output and ERROR for standard
// error; the command's final error is ERROR and -D's command trace DEBUG.
// click's questions are not logged, as in iocage. The interactive commands
// (exec, console, chroot) hand the terminal to the jail untouched; only
// their command line and outcome are logged.

const (
	logFileEnv     = "IOCAGE_LOGFILE"
	defaultLogFile = "/var/log/iocage.log"
	logMaxBytes    = 10 << 20
	logBackups     = 5
)

// iocageLog is the open log file, shared by the writers of one command.
type iocageLog struct {
	mu   sync.Mutex
	path string
	f    *os.File
	size int64
	now  func() time.Time
}

// openIocageLog opens the log for appending; nil when it can't (a log that
// can't be written never stops a command).
func openIocageLog(path string) *iocageLog {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil
	}
	return &iocageLog{path: path, f: f, size: fi.Size(), now: time.Now}
}

// line writes one record, rolling the files over first when it would pass
// the limit, as RotatingFileHandler.shouldRollover decides.
func (l *iocageLog) line(level, msg string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	rec := fmt.Sprintf("%s (%s) %s\n", l.now().Format("2006/01/02 15:04:05"), level, msg)
	if l.size+int64(len(rec)) >= logMaxBytes {
		l.rollover()
	}
	n, _ := io.WriteString(l.f, rec)
	l.size += int64(n)
}

// rollover is RotatingFileHandler.doRollover: FILE.4 → FILE.5 … FILE →
// FILE.1, then a new FILE.
func (l *iocageLog) rollover() {
	l.f.Close()
	for i := logBackups - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", l.path, i), fmt.Sprintf("%s.%d", l.path, i+1))
	}
	os.Rename(l.path, l.path+".1")
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		f, _ = os.Open(os.DevNull)
	}
	l.f, l.size = f, 0
}

func (l *iocageLog) close() {
	if l != nil {
		l.f.Close()
	}
}

// messageLevels are the messages iocage logs at another level than the
// default of the stream jcage prints them on, each matched whole and
// checked in order. The iocage file and function that logs each is named.
var messageLevels = []struct {
	re    *lazyregexp.Regexp
	level string
}{
	// ioc_start.py get_default_gateway.
	{lazyregexp.New(`^No default gateway found for ipv[46]\.$`), "WARNING"},
	// ioc_start.py __start_jail__.
	{lazyregexp.New(`^\S+: nat requires nat_interface, using \S+$`), "WARNING"},
	{lazyregexp.New(`^  \S+ is reusing a localhost address, failure may occur!$`), "WARNING"},
	{lazyregexp.New(`^  \S+ is not using the devfs_ruleset of \d+, `), "WARNING"},
	{lazyregexp.New(`^  \+ Configuring VNET FAILED$`), "ERROR"},
	// iocage.py __all__ and __rc__: a jail of ALL or --rc already up. One
	// jail named alone is the command's error, logged ERROR (main).
	{lazyregexp.New(`^\S+ is already running!$`), "WARNING"},
	// ioc_create.py create_jail (create -p without an address).
	{lazyregexp.New(`^You need an IP address for the jail to install packages!$`), "WARNING"},
	// iocage.py fstab.
	{lazyregexp.New(`^The destination's mountpoint exceeds 88 characters, this may cause failure!$`), "WARNING"},
	// The questions' warnings: iocage_cli/destroy.py, clean.py,
	// rollback.py, migrate.py.
	{lazyregexp.New(`^This will (destroy|migrate) `), "WARNING"},
	// ioc_stop.py __stop_jail__: each failed teardown of a VNET NIC.
	{lazyregexp.New(`^  ifconfig \S+ destroy: `), "WARNING"},
	// ioc_start.py __start_jail__: each error of a failed VNET setup,
	// which jcage prints after "+ Configuring VNET FAILED".
	{lazyregexp.New(`^  (ifconfig|setfib|jexec|route) \S.*: `), "ERROR"},
	// jcage's own warnings (update, upgrade, stop, snapremove) and
	// freebsd-update's end-of-life notice.
	{lazyregexp.New(`^WARNING: `), "WARNING"},
	{lazyregexp.New(`^  \+ Warning: `), "WARNING"},
	{lazyregexp.New(`^Skipped snapshot \S+: used by clones\.$`), "WARNING"},
}

// levelOf is the level a line is logged at, on a stream whose default
// level is def.
func levelOf(def, line string) string {
	for _, m := range messageLevels {
		if m.re.MatchString(line) {
			return m.level
		}
	}
	return def
}

// logTee passes writes through to w and logs each complete line: at the
// level of its message (levelOf) with the default level, or at fixed when
// it is set. A tee with neither logs nothing.
type logTee struct {
	w     *os.File
	log   *iocageLog
	level string // the stream's default
	fixed string // the level of every line, whatever it says
	quiet bool   // pass through, log nothing
	buf   []byte
	kids  []*logTee
}

func (t *logTee) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if t.quiet {
		return n, err
	}
	t.buf = append(t.buf, p[:n]...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			break
		}
		t.emit(string(t.buf[:i]))
		t.buf = t.buf[i+1:]
	}
	return n, err
}

func (t *logTee) emit(line string) {
	level := t.fixed
	if level == "" {
		level = levelOf(t.level, line)
	}
	t.log.line(level, line)
}

// Fd lets terminal checks see the stream underneath.
func (t *logTee) Fd() uintptr { return t.w.Fd() }

// at is a writer onto the same stream whose lines are logged at level;
// with level "" they are not logged at all.
func (t *logTee) at(level string) *logTee {
	k := &logTee{w: t.w, log: t.log, level: t.level, fixed: level, quiet: level == ""}
	t.kids = append(t.kids, k)
	return k
}

func (t *logTee) flush() {
	if len(t.buf) > 0 {
		t.emit(string(t.buf))
		t.buf = nil
	}
	for _, k := range t.kids {
		k.flush()
	}
}

// atLevel is w with its lines logged at level (see logTee.at), or w
// itself when it keeps no log.
func atLevel(w io.Writer, level string) io.Writer {
	if t, ok := w.(*logTee); ok {
		return t.at(level)
	}
	return w
}

// interactiveCommands keep the caller's terminal.
var interactiveCommands = map[string]bool{"exec": true, "console": true, "chroot": true}
