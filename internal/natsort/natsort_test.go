package natsort

import (
	"slices"
	"testing"
)

// Release names in true version order: each sorts before the next, and
// a reversed list sorts back into this one.
func TestVersions(t *testing.T) {
	want := []string{
		"9.3-RELEASE",
		"11.2-RELEASE",
		"12.0-ALPHA2",
		"12.0-RELEASE",
		"13.2-PRERELEASE",
		"13.2-BETA1",
		"13.2-BETA2",
		"13.2-BETA10",
		"13.2-RC1",
		"13.2",
		"13.2-RELEASE",
		"13.2-RELEASE-p1",
		"13.2-RELEASE-p4",
		"13.2-RELEASE-p10",
		"13.2-STABLE",
		"13.2-LOCAL", // unknown tags after the known ones
		"13.4-RELEASE",
		"13.10-RELEASE", // not a float: 13.10 > 13.4
		"14.0-CURRENT",
		"14.0-ALPHA1",
		"14.0-RC2",
		"14.0-RELEASE",
		"14.0-RELEASE-p3",
		"14.3-RELEASE",
		"15.0-CURRENT",
		"N/A", // not a version: last, by text
		"custom",
	}
	for i := 1; i < len(want); i++ {
		if c := Versions(want[i-1], want[i]); c >= 0 {
			t.Errorf("Versions(%q, %q) = %d, want < 0", want[i-1], want[i], c)
		}
		if c := Versions(want[i], want[i-1]); c <= 0 {
			t.Errorf("Versions(%q, %q) = %d, want > 0", want[i], want[i-1], c)
		}
	}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortStableFunc(got, Versions)
	if !slices.Equal(got, want) {
		t.Errorf("sorted = %q, want %q", got, want)
	}
	if Versions("13.2-release", "13.2-RELEASE") == 0 {
		t.Error("different names must not compare equal")
	}
	if c := Versions("13.2-release", "13.2-RELEASE-p1"); c >= 0 {
		t.Errorf("tags are case-insensitive: got %d", c)
	}
}
