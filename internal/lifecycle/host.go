package lifecycle

import "github.com/jcage/jcage/internal/jail"

// Host starts, stops and runs commands in the jails of a jail.Host.
type Host struct{ *jail.Host }

// Of is h's life cycle.
func Of(h *jail.Host) *Host { return &Host{h} }

// copy is a Host of its own, whose fields (Out) can change without
// touching h's.
func (h *Host) copy() Host { return Host{h.Host.Copy()} }
