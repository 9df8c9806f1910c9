package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/fstab"
)

// Each kind of message gets the level iocage's logit gives it; anything
// else its stream's.
func TestLogLevelOf(t *testing.T) {
	for _, tc := range []struct{ def, line, want string }{
		{"ERROR", "No default gateway found for ipv6.", "WARNING"},
		{"ERROR", "web: nat requires nat_interface, using em0", "WARNING"},
		{"ERROR", "  web is reusing a localhost address, failure may occur!", "WARNING"},
		{"ERROR", "  web is not using the devfs_ruleset of 4, not generating a ruleset for the jail, DHCP may not work.", "WARNING"},
		{"INFO", "  + Configuring VNET FAILED", "ERROR"},
		{"INFO", "  ifconfig epair create: ifconfig: SIOCIFCREATE2: Operation not permitted", "ERROR"},
		{"ERROR", "web is already running!", "WARNING"},
		{"ERROR", "You need an IP address for the jail to install packages!", "WARNING"},
		{"ERROR", fstab.LongDestWarning, "WARNING"},
		{"INFO", "This will destroy jail web", "WARNING"},
		{"INFO", "This will destroy ALL data created including ALL snapshots taken after the snapshot s1", "WARNING"},
		{"INFO", "This will migrate ALL iocage-legacy develop basejails to clonejails, it can take a long time!", "WARNING"},
		{"ERROR", "  ifconfig vnet0.5 destroy: ifconfig: interface vnet0.5 does not exist", "WARNING"},
		{"ERROR", "WARNING: newaliases in web failed: exit status 1", "WARNING"},
		{"ERROR", "  + Warning: jail -r: jail: ioc-web: not found", "WARNING"},
		{"ERROR", "Skipped snapshot tank/iocage/jails/web@s1: used by clones.", "WARNING"},
		{"INFO", "* Starting web", "INFO"},
		{"INFO", "  + Started OK", "INFO"},
		{"ERROR", "jail 'nosuch' not found!", "ERROR"},
		{"INFO", "web", "INFO"},
	} {
		if got := levelOf(tc.def, tc.line); got != tc.want {
			t.Errorf("levelOf(%s, %q) = %s, want %s", tc.def, tc.line, got, tc.want)
		}
	}
}

// A tee logs each line as it completes; a writer at a fixed level logs
// every line at it, whatever it says; at("") logs nothing; flush logs a
// last line without its newline.
func TestLogTee(t *testing.T) {
	dir := t.TempDir()
	log := openIocageLog(filepath.Join(dir, "iocage.log"))
	if log == nil {
		t.Fatal("cannot open the log")
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	out := &logTee{w: null, log: log, level: "INFO"}
	errw := &logTee{w: null, log: log, level: "ERROR"}
	out.Write([]byte("* Starting web\nThis will destroy jail web\n"))
	atLevel(out, "").(*logTee).Write([]byte("Are you sure? [y/N]: "))
	errw.Write([]byte("web is already running!\n"))
	atLevel(errw, "ERROR").(*logTee).Write([]byte("web is already running!\n"))
	atLevel(errw, "DEBUG").(*logTee).Write([]byte("+ jls -n"))
	errw.Write([]byte("no newline"))
	out.flush()
	errw.flush()
	log.close()
	b, err := os.ReadFile(filepath.Join(dir, "iocage.log"))
	if err != nil {
		t.Fatal(err)
	}
	stamp := regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)
	got := stamp.ReplaceAllString(string(b), "")
	want := strings.Join([]string{
		"(INFO) * Starting web",
		"(WARNING) This will destroy jail web",
		"(WARNING) web is already running!",
		"(ERROR) web is already running!",
		"(ERROR) no newline",
		"(DEBUG) + jls -n",
	}, "\n") + "\n"
	if got != want {
		t.Fatalf("log:\n%s\nwant:\n%s", got, want)
	}
}
