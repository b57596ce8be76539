package stripeemu

import (
	"slices"
	"strconv"
)

// collection keeps one resource's objects by id, remembering creation order
// so lists come back newest first as Stripe's do.
type collection[T any] struct {
	byID  map[string]*T
	order []string
}

func (c *collection[T]) get(id string) (*T, bool) {
	v, ok := c.byID[id]
	return v, ok
}

func (c *collection[T]) put(id string, v *T) {
	if c.byID == nil {
		c.byID = map[string]*T{}
	}
	if _, ok := c.byID[id]; !ok {
		c.order = append(c.order, id)
	}
	c.byID[id] = v
}

func (c *collection[T]) remove(id string) bool {
	if _, ok := c.byID[id]; !ok {
		return false
	}
	delete(c.byID, id)
	c.order = slices.DeleteFunc(c.order, func(s string) bool { return s == id })
	return true
}

func (c *collection[T]) oldestFirst() []*T {
	out := make([]*T, 0, len(c.order))
	for _, id := range c.order {
		out = append(out, c.byID[id])
	}
	return out
}

func (c *collection[T]) newestFirst() []*T {
	out := c.oldestFirst()
	slices.Reverse(out)
	return out
}

// listResponse is Stripe's list envelope.
type listResponse struct {
	Object  string `json:"object"`
	URL     string `json:"url"`
	HasMore bool   `json:"has_more"`
	Data    any    `json:"data"`
}

// page cuts one page out of items (already filtered, newest first) by
// limit, starting_after and ending_before, as Stripe's cursor paging does.
// resource names the object in the "No such ..." error of a bad cursor.
func page[T any](p params, items []*T, idOf func(*T) string, resource string) ([]*T, bool, *apiError) {
	limit := 10
	if s, ok := p.str("limit"); ok && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, false, errInvalidInteger("limit", s)
		}
		if n < 1 || n > 100 {
			return nil, false, errInvalid("limit", "parameter_invalid_integer",
				"Invalid limit: must be between 1 and 100.")
		}
		limit = n
	}
	index := func(param string) (int, *apiError) {
		id, _ := p.str(param)
		for i, it := range items {
			if idOf(it) == id {
				return i, nil
			}
		}
		return 0, errNoSuch(resource, id, param)
	}
	if after, _ := p.str("starting_after"); after != "" {
		i, err := index("starting_after")
		if err != nil {
			return nil, false, err
		}
		rest := items[i+1:]
		if len(rest) > limit {
			return rest[:limit], true, nil
		}
		return rest, false, nil
	}
	if before, _ := p.str("ending_before"); before != "" {
		i, err := index("ending_before")
		if err != nil {
			return nil, false, err
		}
		head := items[:i]
		if len(head) > limit {
			return head[len(head)-limit:], true, nil
		}
		return head, false, nil
	}
	if len(items) > limit {
		return items[:limit], true, nil
	}
	return items, false, nil
}

// createdFilter reads `created` (exact) or created[gt|gte|lt|lte] into a
// predicate on unix seconds.
func createdFilter(p params, field string) (func(int64) bool, *apiError) {
	if s, ok := p.str(field); ok {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, errInvalidInteger(field, s)
		}
		return func(t int64) bool { return t == n }, nil
	}
	sub := p.sub(field)
	type bound struct {
		op string
		v  int64
	}
	var bounds []bound
	for _, op := range []string{"gt", "gte", "lt", "lte"} {
		s, ok := sub.str(op)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, errInvalidInteger(field+"["+op+"]", s)
		}
		bounds = append(bounds, bound{op, n})
	}
	return func(t int64) bool {
		for _, b := range bounds {
			switch {
			case b.op == "gt" && t <= b.v, b.op == "gte" && t < b.v,
				b.op == "lt" && t >= b.v, b.op == "lte" && t > b.v:
				return false
			}
		}
		return true
	}, nil
}

// filter keeps the items pred accepts.
func filter[T any](items []*T, pred func(*T) bool) []*T {
	out := items[:0:0]
	for _, it := range items {
		if pred(it) {
			out = append(out, it)
		}
	}
	return out
}
