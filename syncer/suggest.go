package syncer

import (
	"context"
	"strings"

	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// suggest files an unmapped external record in the mapping inbox, with a suggestion when
// an ERP record has exactly its SKU (variants) or name (locations).
func (e *Engine) suggest(ctx context.Context, tx *store.Tx, c conn, r connector.SyncRecord, t *Tally) error {
	m := store.Mapping{ConnectionID: c.c.ID, Kind: r.Kind, ExternalID: r.ExternalID, ParentID: r.ParentID, State: store.MappingUnmapped}
	key := r.Fields["sku"]
	if r.Kind == connector.KindLocation {
		key = r.Fields["name"]
	}
	if key != "" {
		cands, err := tx.FindERPRecords(ctx, c.entity.ID, r.Kind, key)
		if err != nil {
			return err
		}
		switch len(cands) {
		case 0:
			m.Reason = "no ERP record with this " + keyName(r.Kind)
		case 1:
			m.ERPID, m.State, m.Score, m.Reason = cands[0].ID, store.MappingSuggested, 1, "exact "+keyName(r.Kind)
		default:
			m.Reason = "several ERP records share this " + keyName(r.Kind)
		}
	} else {
		m.Reason = "the service gives no " + keyName(r.Kind)
	}
	if m.State == store.MappingSuggested {
		t.Suggested++
	} else {
		t.Unmapped++
	}
	return tx.PutMapping(ctx, &m)
}

func keyName(kind string) string {
	if kind == connector.KindLocation {
		return "name"
	}
	return "SKU"
}

// similarity is the Jaccard similarity of two titles' word sets, for suggestions by title
// when no SKU matches.
func similarity(a, b string) float64 {
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	inter := 0
	for w := range wa {
		if wb[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(wa)+len(wb)-inter)
}

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		out[w] = true
	}
	return out
}
