package revert

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestUnwindsInReverse(t *testing.T) {
	var got []string
	var log bytes.Buffer
	func() {
		r := New()
		r.Log = &log
		defer r.Fail()
		r.Add(func() error { got = append(got, "a"); return nil })
		r.Add(func() error { got = append(got, "b"); return errors.New("b failed") })
		r.Add(func() error { got = append(got, "c"); return nil })
	}()
	if strings.Join(got, "") != "cba" || !strings.Contains(log.String(), "cleanup: b failed") {
		t.Fatalf("order %q log %q", got, log.String())
	}
}

func TestSuccessDisarms(t *testing.T) {
	ran := false
	r := New()
	r.Add(func() error { ran = true; return nil })
	r.Success()
	if err := r.Fail(); err != nil || ran {
		t.Fatalf("ran=%v err=%v", ran, err)
	}
}
