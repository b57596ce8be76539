package shopify

import (
	"testing"

	"github.com/concordhub/concord/internal/shopifyschema"
)

// TestDocumentsValidate checks every document the connector can send against the vendored
// Admin 2025-01 schema.
func TestDocumentsValidate(t *testing.T) {
	t.Parallel()
	for name, doc := range documents {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := shopifyschema.Validate(doc); err != nil {
				t.Fatal(err)
			}
		})
	}
}
