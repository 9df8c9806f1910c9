package image

import "github.com/jcage/jcage/internal/jail"

// Host exports and imports the jails of a jail.Host.
type Host struct{ *jail.Host }

// Of is h's export and import.
func Of(h *jail.Host) *Host { return &Host{h} }
