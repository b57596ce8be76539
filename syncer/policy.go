package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/concordhub/concord/connector"
	"github.com/concordhub/concord/store"
)

// Source-of-truth policies.
const (
	ERPWins     = "erp_wins"
	ServiceWins = "service_wins"
	Manual      = "manual"
)

// defaultPolicies are the sensible defaults: the ERP owns stock and prices; the
// marketplace owns what happens to an order after it is placed (its payment and fulfillment
// status) and the tracking of its shipments; an order's contents changing after import is
// for a person to look at.
var defaultPolicies = []store.FieldPolicy{
	{Kind: connector.KindVariant, Field: "price", Policy: ERPWins},
	// A listing priced in another currency than the ERP's is never "fixed" by pushing a
	// number: a person decides.
	{Kind: connector.KindVariant, Field: "currency", Policy: Manual},
	{Kind: connector.KindStock, Field: "available", Policy: ERPWins},
	{Kind: connector.KindOrder, Field: "financial_status", Policy: ServiceWins, AutoResolve: true},
	{Kind: connector.KindOrder, Field: "fulfillment_status", Policy: ServiceWins, AutoResolve: true},
	{Kind: connector.KindOrder, Field: "cancelled", Policy: ServiceWins, AutoResolve: true},
	{Kind: connector.KindOrder, Field: "lines", Policy: Manual},
	{Kind: connector.KindOrder, Field: "total", Policy: Manual},
	{Kind: connector.KindFulfillment, Field: "status", Policy: ServiceWins, AutoResolve: true},
	{Kind: connector.KindFulfillment, Field: "tracking_number", Policy: ServiceWins, AutoResolve: true},
	{Kind: connector.KindFulfillment, Field: "tracking_company", Policy: ServiceWins, AutoResolve: true},
}

// Policies is a connection's effective field policies: the stored ones over the defaults.
type Policies map[string]map[string]store.FieldPolicy

// LoadPolicies reads a connection's policies.
func LoadPolicies(ctx context.Context, db *store.DB, connectionID string) (Policies, error) {
	p := Policies{}
	for _, d := range defaultPolicies {
		p.set(d)
	}
	stored, err := db.FieldPolicies(ctx, connectionID)
	if err != nil {
		return nil, err
	}
	for _, s := range stored {
		p.set(s)
	}
	return p, nil
}

func (p Policies) set(fp store.FieldPolicy) {
	if p[fp.Kind] == nil {
		p[fp.Kind] = map[string]store.FieldPolicy{}
	}
	p[fp.Kind][fp.Field] = fp
}

// Fields lists the compared fields of a kind, sorted.
func (p Policies) Fields(kind string) []string {
	var out []string
	for f := range p[kind] {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// All lists every effective policy.
func (p Policies) All() []store.FieldPolicy {
	var out []store.FieldPolicy
	for _, fields := range p {
		for _, fp := range fields {
			out = append(out, fp)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Kind+"."+out[i].Field < out[j].Kind+"."+out[j].Field
	})
	return out
}

// fingerprint hashes the compared fields of one side; equal fingerprints mean no drift.
func fingerprint(fields map[string]string, compared []string) string {
	h := sha256.New()
	for _, f := range compared {
		h.Write([]byte(f))
		h.Write([]byte{0})
		h.Write([]byte(canonical(f, fields[f])))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// canonical normalizes a value for comparison: "19.9" and "19.90" are the same price.
func canonical(field, v string) string {
	v = strings.TrimSpace(v)
	if field == "price" || field == "total" {
		if i := strings.IndexByte(v, '.'); i >= 0 {
			v = strings.TrimRight(strings.TrimRight(v, "0"), ".")
		}
	}
	return v
}
