package shopifyemu

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"time"
)

// table keeps records in id order (ids only grow, so appending keeps it
// sorted) with a lookup map and a lazily rebuilt UPDATED_AT order, so a page
// is a binary search plus a forward scan whatever the table's size.
type table[T any] struct {
	id      func(T) int64
	updated func(T) time.Time

	byID      map[int64]T
	order     []T
	byUpdated []T // nil when stale
}

func newTable[T any](id func(T) int64, updated func(T) time.Time) table[T] {
	return table[T]{id: id, updated: updated, byID: map[int64]T{}}
}

func (t *table[T]) get(id int64) (T, bool) { v, ok := t.byID[id]; return v, ok }
func (t *table[T]) len() int               { return len(t.order) }

// add stores a new record; its id must be larger than every other.
func (t *table[T]) add(v T) {
	t.byID[t.id(v)] = v
	t.order = append(t.order, v)
	t.byUpdated = nil
}

// remove deletes the record with id.
func (t *table[T]) remove(id int64) {
	if _, ok := t.byID[id]; !ok {
		return
	}
	delete(t.byID, id)
	i := sort.Search(len(t.order), func(i int) bool { return t.id(t.order[i]) >= id })
	t.order = slices.Delete(t.order, i, i+1)
	t.byUpdated = nil
}

// touched tells the table a record's updated time changed.
func (t *table[T]) touched() { t.byUpdated = nil }

func (t *table[T]) sortedByUpdated() []T {
	if t.byUpdated == nil {
		t.byUpdated = slices.Clone(t.order)
		slices.SortStableFunc(t.byUpdated, func(a, b T) int { return t.updated(a).Compare(t.updated(b)) })
	}
	return t.byUpdated
}

// cursor is the decoded form of Shopify's opaque base64 cursors.
type cursor struct {
	LastID    int64 `json:"last_id"`
	LastValue int64 `json:"last_value,omitempty"` // UnixNano of updatedAt for UPDATED_AT
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.StdEncoding.EncodeToString(b)
}

var errBadCursor = errors.New("Invalid cursor for current pagination sort.")

func parseCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.LastID <= 0 {
		return c, errBadCursor
	}
	return c, nil
}

// page is one connection page, ready for the executor.
type page struct {
	nodes   []any
	cursors []string
	hasNext bool
	hasPrev bool
}

// pageArgs are a connection's paging arguments.
type pageArgs struct {
	first   int
	after   string
	updated bool // sortKey UPDATED_AT
	reverse bool
}

// page answers one connection page of the records that match.
func (t *table[T]) page(a pageArgs, match func(T) bool) (*page, error) {
	list := t.order
	key := func(v T) cursor { return cursor{LastID: t.id(v)} }
	if a.updated {
		list = t.sortedByUpdated()
		key = func(v T) cursor { return cursor{LastID: t.id(v), LastValue: t.updated(v).UnixNano()} }
	}
	less := func(x, y cursor) bool { // x sorts before y
		if x.LastValue != y.LastValue {
			return x.LastValue < y.LastValue
		}
		return x.LastID < y.LastID
	}
	n := len(list)
	at := func(i int) T { return list[i] }
	if a.reverse {
		at = func(i int) T { return list[n-1-i] }
		old := less
		less = func(x, y cursor) bool { return old(y, x) }
	}
	start := 0
	p := &page{}
	if a.after != "" {
		c, err := parseCursor(a.after)
		if err != nil {
			return nil, err
		}
		start = sort.Search(n, func(i int) bool { return less(c, key(at(i))) })
		p.hasPrev = start > 0
	}
	for i := start; i < n; i++ {
		v := at(i)
		if match != nil && !match(v) {
			continue
		}
		if len(p.nodes) == a.first {
			p.hasNext = true
			break
		}
		p.nodes = append(p.nodes, v)
		p.cursors = append(p.cursors, key(v).String())
	}
	return p, nil
}

// slicePage pages a small in-record list (variants of a product, lines of an
// order) by position in id order.
func slicePage[T any](list []T, id func(T) int64, a pageArgs) (*page, error) {
	t := table[T]{id: id, order: list}
	return t.page(pageArgs{first: a.first, after: a.after, reverse: a.reverse}, nil)
}
