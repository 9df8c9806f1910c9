package mirror

import (
	"hash/fnv"
	"math/rand/v2"
)

// filler produces deterministic bytes that compress about 2:1 with xz:
// every 8 KiB unit is 4 KiB of pseudo-random bytes followed by a copy of
// them with a few bytes changed. That is roughly how a release's binaries
// behave under xz, and the long matches keep xz fast on it.
type filler struct {
	rng  *rand.Rand
	unit [8192]byte
	pos  int
}

func newFiller(seed uint64) *filler {
	f := &filler{rng: rand.New(rand.NewPCG(seed, 0x6a63616765))}
	f.pos = len(f.unit)
	return f
}

// seedOf derives a filler seed from a name, so each file has its own bytes.
func seedOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

func (f *filler) refill() {
	half := len(f.unit) / 2
	for i := 0; i < half; i += 8 {
		v := f.rng.Uint64()
		for j := range 8 {
			f.unit[i+j] = byte(v >> (8 * j))
		}
	}
	copy(f.unit[half:], f.unit[:half])
	for range 8 {
		f.unit[half+f.rng.IntN(half)] = byte(f.rng.Uint32())
	}
	f.pos = 0
}

// Read never fails and always fills p.
func (f *filler) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if f.pos == len(f.unit) {
			f.refill()
		}
		k := copy(p[n:], f.unit[f.pos:])
		f.pos += k
		n += k
	}
	return n, nil
}

// bytes returns n filler bytes.
func (f *filler) bytes(n int) []byte {
	b := make([]byte, n)
	_, _ = f.Read(b)
	return b
}
