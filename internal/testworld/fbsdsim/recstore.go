package fbsdsim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// recStore keeps one kind of kernel object (a running jail, a devfs
// ruleset) as one small JSON file per object, PREFIX.KEY.json in the state
// directory, read on first use. A call that touches one jail of a hundred
// then reads and writes one file, not the whole table; the table itself
// keeps only an index. Changes are written back by saveWorld, and only
// for records that differ from what was read.
type recStore[V any] struct {
	w      *simWorld
	prefix string
	recs   map[int]*storedRec[V]
}

type storedRec[V any] struct {
	v    V
	raw  []byte // as read; nil for a record made in this call
	gone bool
}

func (s *recStore[V]) path(k int) string {
	return filepath.Join(s.w.e.State, fmt.Sprintf("%s.%d.json", s.prefix, k))
}

// get returns record k; ok is false when it has no file.
func (s *recStore[V]) get(k int) (v V, ok bool) {
	if r, hit := s.recs[k]; hit {
		return r.v, !r.gone
	}
	b, err := os.ReadFile(s.path(k))
	if os.IsNotExist(err) {
		return v, false
	}
	if err != nil {
		panic(worldError{err})
	}
	if err := json.Unmarshal(b, &v); err != nil {
		panic(worldError{fmt.Errorf("%s: %w", s.path(k), err)})
	}
	s.remember(k, &storedRec[V]{v: v, raw: b})
	return v, true
}

func (s *recStore[V]) remember(k int, r *storedRec[V]) {
	if s.recs == nil {
		s.recs = map[int]*storedRec[V]{}
	}
	s.recs[k] = r
}

// put sets record k.
func (s *recStore[V]) put(k int, v V) {
	if r, hit := s.recs[k]; hit {
		r.v, r.gone = v, false
		return
	}
	// Keep what is on disk as the baseline, so that an unchanged record
	// is not rewritten.
	s.get(k)
	if r, hit := s.recs[k]; hit {
		r.v, r.gone = v, false
		return
	}
	s.remember(k, &storedRec[V]{v: v})
}

// del removes record k.
func (s *recStore[V]) del(k int) {
	var zero V
	if r, hit := s.recs[k]; hit {
		r.v, r.gone = zero, true
		return
	}
	s.remember(k, &storedRec[V]{gone: true, raw: []byte{}})
}

// save writes back every record that changed, in key order.
func (s *recStore[V]) save() error {
	keys := make([]int, 0, len(s.recs))
	for k := range s.recs {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		r := s.recs[k]
		if r.gone {
			if r.raw != nil {
				if err := os.Remove(s.path(k)); err != nil && !os.IsNotExist(err) {
					return err
				}
				r.raw = nil
			}
			continue
		}
		b, err := json.Marshal(r.v)
		if err != nil {
			return err
		}
		if r.raw != nil && string(b) == string(r.raw) {
			continue
		}
		if err := s.w.e.saveBytes(filepath.Base(s.path(k)), b); err != nil {
			return err
		}
		r.raw = b
	}
	return nil
}
