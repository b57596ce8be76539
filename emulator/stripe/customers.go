package stripeemu

// Customer is Stripe's customer object, minimal but complete enough for
// attaching payment methods and reading identity fields.
type Customer struct {
	ID                  string            `json:"id"`
	Object              string            `json:"object"`
	Address             map[string]any    `json:"address"`
	Balance             int64             `json:"balance"`
	Created             int64             `json:"created"`
	Currency            *string           `json:"currency"`
	DefaultSource       *string           `json:"default_source"`
	Delinquent          bool              `json:"delinquent"`
	Description         *string           `json:"description"`
	Email               *string           `json:"email"`
	InvoicePrefix       string            `json:"invoice_prefix"`
	InvoiceSettings     InvoiceSettings   `json:"invoice_settings"`
	Livemode            bool              `json:"livemode"`
	Metadata            map[string]string `json:"metadata"`
	Name                *string           `json:"name"`
	NextInvoiceSequence int64             `json:"next_invoice_sequence"`
	Phone               *string           `json:"phone"`
	PreferredLocales    []string          `json:"preferred_locales"`
	Shipping            map[string]any    `json:"shipping"`
	TaxExempt           string            `json:"tax_exempt"`
}

// InvoiceSettings is a customer's invoice_settings.
type InvoiceSettings struct {
	CustomFields         any     `json:"custom_fields"`
	DefaultPaymentMethod *string `json:"default_payment_method"`
	Footer               *string `json:"footer"`
	RenderingOptions     any     `json:"rendering_options"`
}

// deleted is Stripe's answer to a DELETE: the id and deleted: true.
type deleted struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

func newCustomer(created int64, live bool) *Customer {
	return &Customer{ID: newID("cus_"), Object: "customer", Created: created, Livemode: live,
		InvoicePrefix: randomString(8), Metadata: map[string]string{}, NextInvoiceSequence: 1,
		PreferredLocales: []string{}, TaxExempt: "none"}
}

func (e *Emulator) customerRoutes(handle func(string, apiHandler)) {
	handle("POST /v1/customers", e.createCustomer)
	handle("GET /v1/customers", e.listCustomers)
	handle("GET /v1/customers/{id}", e.getCustomer)
	handle("POST /v1/customers/{id}", e.updateCustomer)
	handle("DELETE /v1/customers/{id}", e.deleteCustomer)
}

func (c *call) applyCustomer(cus *Customer) *apiError {
	optString(&cus.Email, c.p, "email")
	optString(&cus.Name, c.p, "name")
	optString(&cus.Description, c.p, "description")
	optString(&cus.Phone, c.p, "phone")
	if s, ok := c.p.sub("invoice_settings").str("default_payment_method"); ok {
		if s == "" {
			cus.InvoiceSettings.DefaultPaymentMethod = nil
		} else {
			pm, err := c.resolvePaymentMethod(s, "invoice_settings[default_payment_method]")
			if err != nil {
				return err
			}
			cus.InvoiceSettings.DefaultPaymentMethod = &pm.ID
		}
	}
	cus.Metadata = applyMetadata(cus.Metadata, c.p)
	return nil
}

func (e *Emulator) createCustomer(c *call) (any, *apiError) {
	cus := newCustomer(c.now, c.ds.livemode)
	if err := c.applyCustomer(cus); err != nil {
		return nil, err
	}
	c.ds.customers.put(cus.ID, cus)
	if pmID, _ := c.p.str("payment_method"); pmID != "" {
		pm, err := c.resolvePaymentMethod(pmID, "payment_method")
		if err != nil {
			return nil, err
		}
		pm.Customer = &cus.ID
		defer c.emit("payment_method.attached", pm, nil)
	}
	c.emit("customer.created", cus, nil)
	return cus, nil
}

func (c *call) customer() (*Customer, *apiError) {
	id := c.r.PathValue("id")
	cus, ok := c.ds.customers.get(id)
	if !ok {
		return nil, errNoSuch("customer", id, "id")
	}
	return cus, nil
}

func (e *Emulator) getCustomer(c *call) (any, *apiError) { return c.customer() }

func (e *Emulator) updateCustomer(c *call) (any, *apiError) {
	cus, err := c.customer()
	if err != nil {
		return nil, err
	}
	before := snapshot(cus)
	if err := c.applyCustomer(cus); err != nil {
		return nil, err
	}
	c.emit("customer.updated", cus, previousAttributes(before, cus))
	return cus, nil
}

func (e *Emulator) deleteCustomer(c *call) (any, *apiError) {
	cus, err := c.customer()
	if err != nil {
		return nil, err
	}
	c.ds.deleteCustomer(cus.ID)
	c.emit("customer.deleted", cus, nil)
	return &deleted{ID: cus.ID, Object: "customer", Deleted: true}, nil
}

// deleteCustomer removes a customer; its payment methods are detached,
// as Stripe does.
func (ds *dataset) deleteCustomer(id string) {
	ds.customers.remove(id)
	for _, pm := range ds.paymentMethods.oldestFirst() {
		if pm.Customer != nil && *pm.Customer == id {
			pm.Customer = nil
		}
	}
}

func (e *Emulator) listCustomers(c *call) (any, *apiError) {
	email, _ := c.p.str("email")
	created, err := createdFilter(c.p, "created")
	if err != nil {
		return nil, err
	}
	items := filter(c.ds.customers.newestFirst(), func(cus *Customer) bool {
		return (email == "" || (cus.Email != nil && *cus.Email == email)) && created(cus.Created)
	})
	return list(c, "/v1/customers", items, func(cus *Customer) string { return cus.ID }, "customer")
}
