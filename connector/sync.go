package connector

import (
	"context"
	"time"
)

// Record kinds moved by sync. A connector imports the kinds it supports in the order of
// SyncKinds (locations before stock, variants before stock, orders before fulfillments).
const (
	KindLocation    = "location"
	KindVariant     = "variant" // a sellable variant; its product's fields ride along (product_id, product_title)
	KindStock       = "stock"   // available quantity of one variant at one location
	KindOrder       = "order"
	KindFulfillment = "fulfillment"
)

// SyncRecord is one external record normalized to the hub's canonical fields. Fields hold
// every value as a string in a canonical form (decimal prices "19.99", integers "12",
// RFC 3339 times), so fingerprints and drift compare like with like across services.
//
// Canonical fields by kind:
//   - location: name, active ("true"/"false")
//   - variant: sku, title, product_id, product_title, price, currency, inventory_item_id, status
//   - stock: variant_id, inventory_item_id, location_id, available
//   - order: number, email, financial_status, fulfillment_status, cancelled, total, currency,
//     lines (JSON array of {sku, variant_id, quantity, price})
//   - fulfillment: order_id, status, tracking_number, tracking_company
type SyncRecord struct {
	Kind       string            `json:"kind"`
	ExternalID string            `json:"external_id"`
	ParentID   string            `json:"parent_id,omitempty"` // variant: product; stock: variant; fulfillment: order
	UpdatedAt  time.Time         `json:"updated_at"`
	Deleted    bool              `json:"deleted,omitempty"`
	Fields     map[string]string `json:"fields"`
}

// ImportRequest asks for one page of one kind changed since Since (zero: everything).
type ImportRequest struct {
	Kind     string
	Since    time.Time
	Cursor   string // from the previous page; "" for the first
	PageSize int
}

// ImportPage is one page; NextCursor "" means the last page.
type ImportPage struct {
	Records    []SyncRecord
	NextCursor string
}

// Importer reads records from the service, page by page.
type Importer interface {
	SyncKinds() []string
	ImportPage(ctx context.Context, s *Session, req ImportRequest) (ImportPage, error)
}

// Counter reports how many records of a kind the service itself holds, for the lost-data
// check after a full sync.
type Counter interface {
	CountRecords(ctx context.Context, s *Session, kind string) (int, error)
}

// Fetcher reads one record by id (drift confirmation, stale detection: a missing record is
// an *ExternalError of class not_found).
type Fetcher interface {
	FetchRecord(ctx context.Context, s *Session, kind, externalID string) (SyncRecord, error)
}

// FieldChange is one outbound change: set Field of the record to Value.
type FieldChange struct {
	Kind       string `json:"kind"`
	ExternalID string `json:"external_id"`
	// LocationID is set for stock changes.
	LocationID string `json:"location_id,omitempty"`
	Field      string `json:"field"`
	Value      string `json:"value"`
}

// ChangeResult is the outcome of one change in a batch (Err nil: applied).
type ChangeResult struct {
	Change FieldChange
	Err    error
}

// Exporter writes changes to the service, in batches (the service may take many at once).
type Exporter interface {
	// ExportFields lists, per kind, the fields this connector can write.
	ExportFields() map[string][]string
	// MaxBatch is how many changes one Export call may carry.
	MaxBatch() int
	Export(ctx context.Context, s *Session, changes []FieldChange) ([]ChangeResult, error)
}

// WebhookRecords turns a verified delivery into records for the sync engine (an inbound
// change announced by webhook). Deleted records come back with Deleted set.
type WebhookRecords interface {
	RecordsFromWebhook(ev WebhookEvent) ([]SyncRecord, error)
}

func init() {
	extraCapabilities = append(extraCapabilities,
		func(c Connector) (string, bool) { _, ok := c.(Importer); return "import", ok },
		func(c Connector) (string, bool) { _, ok := c.(Exporter); return "export", ok },
		func(c Connector) (string, bool) { _, ok := c.(Fetcher); return "fetch", ok },
		func(c Connector) (string, bool) { _, ok := c.(Counter); return "count", ok },
		func(c Connector) (string, bool) { _, ok := c.(WebhookRecords); return "webhook_records", ok },
	)
}
