package shopify

// The GraphQL documents the connector sends, exactly the wire subset (Admin API 2025-01).
// Each has an operation name so the emulator, the fakes and the connector log can tell
// them apart; the tests validate every one against the vendored schema.

const pageInfoFields = `pageInfo { hasNextPage endCursor }`

const shopQuery = `query Shop { shop { name myshopifyDomain currencyCode plan { partnerDevelopment displayName } } }`

const locationsQuery = `query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after) { ` + pageInfoFields + ` nodes { id name isActive } }
}`

// variantFields is a variant as the variant kind needs it; productsQuery adds the product.
const variantFields = `id sku title price updatedAt inventoryItem { id }`

const productsQuery = `query Products($first: Int!, $after: String, $query: String) {
  shop { currencyCode }
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    ` + pageInfoFields + `
    nodes { id title status updatedAt variants(first: 100) { pageInfo { hasNextPage } nodes { ` + variantFields + ` } } }
  }
}`

const levelFields = `id updatedAt location { id } quantities(names: ["available"]) { name quantity }`

const inventoryItemsQuery = `query InventoryItems($first: Int!, $after: String) {
  inventoryItems(first: $first, after: $after) {
    ` + pageInfoFields + `
    nodes { id sku updatedAt variant { id } inventoryLevels(first: 50) { pageInfo { hasNextPage } nodes { ` + levelFields + ` } } }
  }
}`

// orderFieldsWith is one order with up to lines of its lines and its fulfillments (the
// fulfillment kind is read from the same answer).
func orderFieldsWith(lines string) string {
	return `id name email updatedAt cancelledAt displayFinancialStatus displayFulfillmentStatus
  totalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: ` + lines + `) { pageInfo { hasNextPage } nodes { id sku quantity variant { id } originalUnitPriceSet { shopMoney { amount currencyCode } } } }
  fulfillments(first: 20) { id status updatedAt trackingInfo { number company } }`
}

// orderFields reads an order with up to 100 lines (one order at a time).
var orderFields = orderFieldsWith("100")

// ordersQuery pages orders with up to 10 lines each: Shopify prices a query by the nested
// page sizes it asks for, so 100 lines an order would let a 1,000-point page carry only two
// orders. Orders with more lines are read again one by one with orderQuery.
var ordersQuery = `query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    ` + pageInfoFields + `
    nodes { ` + orderFieldsWith("10") + ` }
  }
}`

const (
	locationsCountQuery = `query LocationsCount { locationsCount { count precision } }`
	variantsCountQuery  = `query VariantsCount { productVariantsCount { count precision } }`
	ordersCountQuery    = `query OrdersCount { ordersCount { count precision } }`
)

const variantQuery = `query Variant($id: ID!) {
  shop { currencyCode }
  productVariant(id: $id) { ` + variantFields + ` product { id title status } }
}`

var orderQuery = `query Order($id: ID!) { order(id: $id) { ` + orderFields + ` } }`

const stockQuery = `query Stock($id: ID!, $locationId: ID!) {
  inventoryItem(id: $id) { id variant { id } inventoryLevel(locationId: $locationId) { ` + levelFields + ` } }
}`

// stockLevelsQuery is stockQuery for a server without InventoryItem.inventoryLevel
// (the sandbox emulator): the item's levels, filtered here by location.
const stockLevelsQuery = `query StockLevels($id: ID!) {
  inventoryItem(id: $id) { id variant { id } inventoryLevels(first: 50) { pageInfo { hasNextPage } nodes { ` + levelFields + ` } } }
}`

const variantProductsQuery = `query VariantProducts($ids: [ID!]!) {
  nodes(ids: $ids) { id ... on ProductVariant { product { id } } }
}`

const setQuantitiesMutation = `mutation SetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}`

// workflowSetQuantityMutation is the workflow check's write-back: one quantity set to the
// value just read, with compareQuantity, so a concurrent change is never overwritten.
const workflowSetQuantityMutation = `mutation WorkflowSetQuantity($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}`

const variantsBulkUpdateMutation = `mutation VariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price }
    userErrors { field message }
  }
}`

const webhookSubscriptionsQuery = `query WebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    ` + pageInfoFields + `
    nodes { id topic endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } }
  }
}`

const webhookCreateMutation = `mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}`

// documents lists every document, for the schema test.
var documents = map[string]string{
	"Shop": shopQuery, "Locations": locationsQuery, "Products": productsQuery,
	"InventoryItems": inventoryItemsQuery, "Orders": ordersQuery,
	"LocationsCount": locationsCountQuery, "VariantsCount": variantsCountQuery, "OrdersCount": ordersCountQuery,
	"Variant": variantQuery, "Order": orderQuery, "Stock": stockQuery, "StockLevels": stockLevelsQuery, "VariantProducts": variantProductsQuery,
	"SetQuantities": setQuantitiesMutation, "WorkflowSetQuantity": workflowSetQuantityMutation, "VariantsBulkUpdate": variantsBulkUpdateMutation,
	"WebhookSubscriptions": webhookSubscriptionsQuery, "WebhookCreate": webhookCreateMutation,
}
