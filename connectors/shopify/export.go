package shopify

import "sync"

// productCache remembers which product a variant belongs to (a variant never moves to
// another product), so price exports look each variant up once.
type productCache struct {
	mu sync.Mutex
	m  map[string]string
}
