package main

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/jcage/jcage/internal/host"
	"github.com/jcage/jcage/internal/zfs"
)

// Every part a jail.Host delegates is wired where the host is built,
// with and without fetching: no operation meets a nil one.
func TestDepsWireEveryDelegate(t *testing.T) {
	for _, auto := range []bool{true, false} {
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, run: &host.Recorder{},
			zfs: zfs.NewFake(t.TempDir()), autoFetch: auto, mounts: mountTable{}}
		v := reflect.ValueOf(e.deps().host).Elem()
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.Kind() == reflect.Interface && f.IsNil() {
				t.Errorf("autoFetch %v: jail.Host.%s is not wired", auto, v.Type().Field(i).Name)
			}
		}
	}
}
