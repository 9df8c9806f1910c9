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
		for _, name := range unwired(reflect.ValueOf(e.deps().host).Elem(), "jail.Host") {
			t.Errorf("autoFetch %v: %s is not wired", auto, name)
		}
	}
}

// unwired names the nil interface fields of v, and of the structs it
// embeds by pointer (jail.Host's *inventory.Host).
func unwired(v reflect.Value, path string) []string {
	var out []string
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		switch {
		case f.Kind() == reflect.Interface && f.IsNil():
			out = append(out, path+"."+sf.Name)
		case sf.Anonymous && f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct:
			if f.IsNil() {
				out = append(out, path+"."+sf.Name)
			} else {
				out = append(out, unwired(f.Elem(), path+"."+sf.Name)...)
			}
		}
	}
	return out
}
