package amazon

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// This file checks fixtures against Amazon's vendored JSON Schemas with a small validator of
// the draft-07 keywords those schemas use (type, required, properties, items, enum). It is a
// stand-in written with the standard library only; a full validator
// (santhosh-tekuri/jsonschema) can replace it when the module is added.

type schema struct {
	Type       any                `json:"type"` // a name or a list of names
	Required   []string           `json:"required"`
	Properties map[string]*schema `json:"properties"`
	Items      *schema            `json:"items"`
	Enum       []any              `json:"enum"`
	Examples   []json.RawMessage  `json:"examples"`
}

func loadSchema(t *testing.T, name string) *schema {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var s schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func typeOf(v any) []string {
	switch x := v.(type) {
	case nil:
		return []string{"null"}
	case bool:
		return []string{"boolean"}
	case string:
		return []string{"string"}
	case float64:
		if x == math.Trunc(x) {
			return []string{"integer", "number"}
		}
		return []string{"number"}
	case []any:
		return []string{"array"}
	case map[string]any:
		return []string{"object"}
	}
	return nil
}

// validate returns the first violation of s by v, at path.
func validate(s *schema, v any, path string) error {
	if s == nil {
		return nil
	}
	if s.Type != nil {
		var allowed []string
		switch tt := s.Type.(type) {
		case string:
			allowed = []string{tt}
		case []any:
			for _, a := range tt {
				allowed = append(allowed, fmt.Sprint(a))
			}
		}
		ok := false
		for _, have := range typeOf(v) {
			ok = ok || slices.Contains(allowed, have)
		}
		if !ok {
			return fmt.Errorf("%s: %v is not of type %v", path, v, allowed)
		}
	}
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		return fmt.Errorf("%s: %v is not one of %v", path, v, s.Enum)
	}
	if obj, ok := v.(map[string]any); ok {
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				return fmt.Errorf("%s: required %q missing", path, r)
			}
		}
		for k, sub := range s.Properties {
			if val, ok := obj[k]; ok {
				if err := validate(sub, val, path+"."+k); err != nil {
					return err
				}
			}
		}
	}
	if arr, ok := v.([]any); ok {
		for i, it := range arr {
			if err := validate(s.Items, it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateJSON(s *schema, doc string) error {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return err
	}
	return validate(s, v, "$")
}

func TestFixturesConformToSchemas(t *testing.T) {
	t.Parallel()
	cases := []struct{ schema, doc, broken string }{
		{"OrderChangeNotification.json", orderChange, strings.Replace(orderChange, `"OrderStatus":"Shipped"`, `"OrderStatus":"Sent"`, 1)},
		{"FeedProcessingFinishedNotification.json", feedFinished, strings.Replace(feedFinished, `"feedId":"50001019999"`, `"feedId":50001019999`, 1)},
	}
	for _, c := range cases {
		s := loadSchema(t, c.schema)
		// The validator must accept Amazon's own examples, or it is not checking what it claims.
		for i, ex := range s.Examples {
			if err := validateJSON(s, string(ex)); err != nil {
				t.Errorf("%s example %d: %v", c.schema, i, err)
			}
		}
		if err := validateJSON(s, c.doc); err != nil {
			t.Errorf("fixture for %s: %v", c.schema, err)
		}
		// And it must refuse a fixture that breaks the schema.
		var broken map[string]any
		_ = json.Unmarshal([]byte(c.doc), &broken)
		for k := range broken {
			if k == "NotificationMetadata" || k == "notificationMetadata" {
				delete(broken, k)
			}
		}
		b, _ := json.Marshal(broken)
		if validateJSON(s, string(b)) == nil {
			t.Errorf("%s: a fixture without metadata passed validation", c.schema)
		}
		if c.broken == c.doc || validateJSON(s, c.broken) == nil {
			t.Errorf("%s: a fixture with a nested violation passed validation", c.schema)
		}
	}
}
