package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// The log iocage keeps. iocage_cli/__init__.py IOCLogger: as root, every
// message also goes to $IOCAGE_LOGFILE (default /var/log/iocage.log),
// "%Y/%m/%d %H:%M:%S (LEVEL) message", rotated at 10 MiB with 5 old files
// kept (logging.handlers.RotatingFileHandler). jcage writes each line of
// its standard output as INFO and of its standard error as ERROR. The
// interactive commands (exec, console, chroot) hand the terminal to the
// jail untouched; only their command line and outcome are logged.

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

// logTee passes writes through to w and logs each complete line.
type logTee struct {
	w     *os.File
	log   *iocageLog
	level string
	buf   []byte
}

func (t *logTee) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	t.buf = append(t.buf, p[:n]...)
	for {
		i := bytes.IndexByte(t.buf, '\n')
		if i < 0 {
			break
		}
		t.log.line(t.level, string(t.buf[:i]))
		t.buf = t.buf[i+1:]
	}
	return n, err
}

// Fd lets terminal checks see the stream underneath.
func (t *logTee) Fd() uintptr { return t.w.Fd() }

func (t *logTee) flush() {
	if len(t.buf) > 0 {
		t.log.line(t.level, string(t.buf))
		t.buf = nil
	}
}

// interactiveCommands keep the caller's terminal.
var interactiveCommands = map[string]bool{"exec": true, "console": true, "chroot": true}
