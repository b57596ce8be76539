package shopifyemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// errNotFound answers 404 from a record handler.
var errNotFound = errors.New("not found")

// recordCtx is one control-API record change, run with e.mu held; fired
// collects the webhook topics it sent.
type recordCtx struct {
	e     *Emulator
	s     *shop
	now   time.Time
	fired []string
}

func (c *recordCtx) fire(topic string, payload any) {
	c.e.fire(c.s, topic, payload)
	c.fired = append(c.fired, topic)
}

// recordHandlers change one resource from a REST-shaped body and answer the
// record in REST shape.
var recordHandlers = map[string]func(*recordCtx, map[string]any) (any, error){
	"products":         (*recordCtx).upsertProduct,
	"inventory_levels": (*recordCtx).setLevel,
	"orders":           (*recordCtx).upsertOrder,
	"fulfillments":     (*recordCtx).upsertFulfillment,
	"locations":        (*recordCtx).upsertLocation,
}

// postRecord is POST /_emulator/records/{resource}.
func (e *Emulator) postRecord(w http.ResponseWriter, r *http.Request) {
	h, ok := recordHandlers[r.PathValue("resource")]
	if !ok {
		controlError(w, http.StatusNotFound, "resource must be products, inventory_levels, orders, fulfillments or locations")
		return
	}
	var body map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		controlError(w, http.StatusBadRequest, "body must be a JSON object: "+err.Error())
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.shopByDomain(r.URL.Query().Get("shop"))
	if s == nil {
		controlError(w, http.StatusNotFound, "no such shop")
		return
	}
	c := &recordCtx{e: e, s: s, now: e.now()}
	rec, err := h(c, body)
	switch {
	case errors.Is(err, errNotFound):
		controlError(w, http.StatusNotFound, err.Error())
	case err != nil:
		controlError(w, http.StatusUnprocessableEntity, err.Error())
	default:
		writeJSON(w, http.StatusOK, map[string]any{"record": rec, "webhooks": c.fired})
	}
}

// deleteRecord is DELETE /_emulator/records/{resource}/{id} for products,
// orders and locations; each fires its delete webhook.
func (e *Emulator) deleteRecord(w http.ResponseWriter, r *http.Request) {
	resource := r.PathValue("resource")
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.shopByDomain(r.URL.Query().Get("shop"))
	if s == nil {
		controlError(w, http.StatusNotFound, "no such shop")
		return
	}
	c := &recordCtx{e: e, s: s, now: e.now()}
	id, _ := parseGID("", r.PathValue("id"))
	ok := false
	switch resource {
	case "products":
		var p *product
		if p, ok = s.products.get(id); ok {
			s.deleteProduct(p)
			c.fire("products/delete", map[string]any{"id": id})
		}
	case "orders":
		if _, ok = s.orders.get(id); ok {
			s.orders.remove(id)
			c.fire("orders/delete", map[string]any{"id": id})
		}
	case "locations":
		if _, ok = s.locations.get(id); ok {
			for _, v := range s.items.order {
				for i, l := range v.Levels {
					if l.Location.ID == id {
						v.Levels = append(v.Levels[:i:i], v.Levels[i+1:]...)
						break
					}
				}
			}
			s.locations.remove(id)
			c.fire("locations/delete", map[string]any{"id": id})
		}
	default:
		controlError(w, http.StatusNotFound, "resource must be products, orders or locations")
		return
	}
	if !ok {
		controlError(w, http.StatusNotFound, resource+" "+strconv.FormatInt(id, 10)+" not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": id, "webhooks": c.fired})
}

// idOf reads a numeric id (or GID) field; 0 when absent.
func idOf(body map[string]any, field, kind string) (int64, error) {
	switch v := body[field].(type) {
	case nil:
		return 0, nil
	case string:
		if id, ok := parseGID(kind, v); ok {
			return id, nil
		}
	default:
		if id, ok := toInt(v); ok && id > 0 {
			return id, nil
		}
	}
	return 0, errors.New(field + " must be a positive number or a " + kind + " GID")
}

// setLevel is inventory_levels {inventory_item_id, location_id, available}:
// an item not yet stocked at the location is connected there first.
func (c *recordCtx) setLevel(body map[string]any) (any, error) {
	itemID, err := idOf(body, "inventory_item_id", "InventoryItem")
	if err != nil {
		return nil, err
	}
	locID, err := idOf(body, "location_id", "Location")
	if err != nil {
		return nil, err
	}
	v, ok := c.s.items.get(itemID)
	if !ok {
		return nil, fmt.Errorf("inventory item %d: %w", itemID, errNotFound)
	}
	loc, ok := c.s.locations.get(locID)
	if !ok {
		return nil, fmt.Errorf("location %d: %w", locID, errNotFound)
	}
	qty, ok := toInt(body["available"])
	if !ok {
		return nil, errors.New("available must be an integer")
	}
	l := c.s.stock(v, loc, qty, c.now)
	v.ItemUpdatedAt = c.now
	c.s.items.touched()
	c.fire("inventory_levels/update", restLevel(l))
	return restLevel(l), nil
}

// upsertLocation is locations {id?, name, active}.
func (c *recordCtx) upsertLocation(body map[string]any) (any, error) {
	id, err := idOf(body, "id", "Location")
	if err != nil {
		return nil, err
	}
	l, ok := c.s.locations.get(id)
	topic := "locations/update"
	switch {
	case id != 0 && !ok:
		return nil, fmt.Errorf("location %d: %w", id, errNotFound)
	case !ok:
		l = &location{ID: c.s.newID("Location"), Name: "New Location", Active: true, CreatedAt: c.now}
		c.s.locations.add(l)
		topic = "locations/create"
	}
	if name, ok := body["name"].(string); ok {
		l.Name = name
	}
	if active, ok := body["active"].(bool); ok {
		l.Active = active
	}
	l.UpdatedAt = c.now
	c.s.locations.touched()
	c.fire(topic, restLocation(l))
	return restLocation(l), nil
}
