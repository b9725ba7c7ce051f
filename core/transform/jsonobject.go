package transform

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/dop251/goja"
)

// jsonObject is a JSON object of the event as the script sees it: a goja
// dynamic object whose members are the spans of their JSON text until the
// script reads them. It behaves as the object JSON.parse would make — keys
// in the same order (integer keys first, ascending, then the others in the
// order they came), a repeated key keeping its first place and its last
// value, members that can be read, set, added and deleted, the same object
// returned by every read of a member — except that, like every goja
// dynamic object, it cannot be frozen, sealed or made non-extensible, and
// takes no property that is not a plain writable, enumerable value and no
// symbol key: those throw a TypeError.
type jsonObject struct {
	doc     *jsonDoc // nil when every value is set (the envelope)
	entries []jsonEntry
	index   map[string]int // key → entry, for objects of more than linearKeys keys
}

// jsonEntry is one member: its JSON text until read, its value after.
type jsonEntry struct {
	key string
	raw string
	val goja.Value
}

// linearKeys is the size up to which an object's keys are searched one by
// one rather than through a map: the map costs more than it saves on the
// small objects events are made of.
const linearKeys = 16

var _ goja.DynamicObject = (*jsonObject)(nil)

func (o *jsonObject) find(key string) int {
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range o.entries {
		if o.entries[i].key == key {
			return i
		}
	}
	return -1
}

// dedupe keeps one entry per key, as JSON.parse does: the first place, the
// last value. It runs in one native call no interrupt reaches, so a large
// object goes through a map, never pair by pair.
func (o *jsonObject) dedupe() {
	if len(o.entries) <= linearKeys {
		for i := 1; i < len(o.entries); i++ {
			if first := slices.IndexFunc(o.entries[:i], func(e jsonEntry) bool { return e.key == o.entries[i].key }); first >= 0 {
				o.entries[first].raw = o.entries[i].raw
				o.entries = slices.Delete(o.entries, i, i+1)
				i--
			}
		}
		return
	}
	o.index = make(map[string]int, len(o.entries))
	kept := o.entries[:0]
	for _, e := range o.entries {
		if first, seen := o.index[e.key]; seen {
			kept[first].raw = e.raw
			continue
		}
		o.index[e.key] = len(kept)
		kept = append(kept, e)
	}
	o.entries = kept
}

func (o *jsonObject) reindex() {
	o.index = make(map[string]int, len(o.entries))
	for i, e := range o.entries {
		o.index[e.key] = i
	}
}

// Get returns the member's value, made from its text on the first read.
func (o *jsonObject) Get(key string) goja.Value {
	i := o.find(key)
	if i < 0 {
		return nil
	}
	e := &o.entries[i]
	if e.val == nil {
		v, err := o.doc.value(e.raw)
		if err != nil { // the document was checked whole: not reached
			panic(o.doc.rt.NewGoError(err))
		}
		e.val, e.raw = v, ""
	}
	return e.val
}

// Set sets or adds a member.
func (o *jsonObject) Set(key string, val goja.Value) bool {
	if val == nil {
		val = goja.Undefined()
	}
	if i := o.find(key); i >= 0 {
		o.entries[i].val, o.entries[i].raw = val, ""
		return true
	}
	o.entries = append(o.entries, jsonEntry{key: key, val: val})
	if o.index != nil {
		o.index[key] = len(o.entries) - 1
	} else if len(o.entries) > linearKeys {
		o.reindex()
	}
	return true
}

// Has says whether the object has the member.
func (o *jsonObject) Has(key string) bool { return o.find(key) >= 0 }

// Delete removes a member; deleting one that is not there succeeds too.
func (o *jsonObject) Delete(key string) bool {
	if i := o.find(key); i >= 0 {
		o.entries = slices.Delete(o.entries, i, i+1)
		if o.index != nil {
			o.reindex()
		}
	}
	return true
}

// Keys returns the keys in the order of an ordinary object's own keys:
// array indices ascending, then the other keys in the order they were added.
func (o *jsonObject) Keys() []string {
	keys := make([]string, len(o.entries))
	indices := 0
	for i, e := range o.entries {
		keys[i] = e.key
		if _, ok := arrayIndex(e.key); ok {
			indices++
		}
	}
	if indices > 0 {
		slices.SortStableFunc(keys, func(a, b string) int {
			ia, aok := arrayIndex(a)
			ib, bok := arrayIndex(b)
			switch {
			case aok && bok:
				return cmp.Compare(ia, ib)
			case aok:
				return -1
			case bok:
				return 1
			}
			return 0
		})
	}
	return keys
}

// arrayIndex says whether key is an array index as ECMAScript orders them
// first: the canonical decimal form of an integer below 2^32-1.
func arrayIndex(key string) (int64, bool) {
	if key == "" || len(key) > 10 || key[0] < '0' || key[0] > '9' || len(key) > 1 && key[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(key, 10, 64)
	return n, err == nil && n < 1<<32-1
}
