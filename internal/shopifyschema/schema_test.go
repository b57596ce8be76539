package shopifyschema

import "testing"

func TestSchemaValidates(t *testing.T) {
	if err := Validate(`{ shop { name myshopifyDomain plan { partnerDevelopment } } }`); err != nil {
		t.Fatal(err)
	}
	if err := Validate(`{ shop { noSuchField } }`); err == nil {
		t.Fatal("an unknown field passed validation")
	}
	if err := Validate(`mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { field message } } }`); err != nil {
		t.Fatal(err)
	}
}
