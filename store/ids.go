package store

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

var idClock struct {
	sync.Mutex
	ms  uint64
	seq uint16
}

// NewID returns prefix + "_" + a 26-character id that sorts by creation time: 48 bits of
// milliseconds, a 16-bit sequence within the millisecond (so ids made by one process sort in
// the order they were made), then 64 random bits. "id > cursor" pages in creation order.
func NewID(prefix string) string {
	idClock.Lock()
	ms := uint64(time.Now().UnixMilli())
	if ms <= idClock.ms {
		ms = idClock.ms
		idClock.seq++
		if idClock.seq == 0 { // sequence exhausted: borrow the next millisecond
			ms++
		}
	} else {
		idClock.seq = 0
	}
	idClock.ms = ms
	seq := idClock.seq
	idClock.Unlock()

	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], ms<<16|uint64(seq))
	if _, err := rand.Read(b[8:]); err != nil {
		panic("store: crypto/rand failed: " + err.Error())
	}
	return prefix + "_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}

// IDFloor is the smallest id with prefix that NewID could have made at t: "id >= IDFloor(t)"
// selects what was created since t through an id index.
func IDFloor(prefix string, t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	return prefix + "_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}
