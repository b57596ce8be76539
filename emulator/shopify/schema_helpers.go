package shopifyemu

// Helpers that build schema table entries from typed getters.

// scalarOf is a scalar field read from a parent of type T.
func scalarOf[T any](get func(T) any) fieldDef {
	return fieldDef{kind: kScalar, resolve: func(_ *execCtx, p any, _ map[string]any) (any, error) {
		v, _ := p.(T)
		return get(v), nil
	}}
}

// objectOf is an object field; get answers nil (untyped) for null.
func objectOf[T any](typ string, get func(*execCtx, T, map[string]any) any) fieldDef {
	return fieldDef{kind: kObject, typ: typ, resolve: func(x *execCtx, p any, a map[string]any) (any, error) {
		v, _ := p.(T)
		return get(x, v, a), nil
	}}
}

// listOf is a list-of-objects field.
func listOf[T any](typ string, get func(*execCtx, T, map[string]any) []any) fieldDef {
	return fieldDef{kind: kList, typ: typ, resolve: func(x *execCtx, p any, a map[string]any) (any, error) {
		v, _ := p.(T)
		return get(x, v, a), nil
	}}
}

// connOf is a connection field; get receives the paging arguments.
func connOf[T any](typ string, get func(*execCtx, T, pageArgs, map[string]any) (*page, error)) fieldDef {
	return fieldDef{kind: kConn, typ: typ, resolve: func(x *execCtx, p any, a map[string]any) (any, error) {
		pa := pageArgs{}
		if n, ok := toInt(a["first"]); ok {
			pa.first = int(n)
		}
		pa.after, _ = a["after"].(string)
		pa.updated = a["sortKey"] == "UPDATED_AT"
		pa.reverse, _ = a["reverse"].(bool)
		v, _ := p.(T)
		return get(x, v, pa, a)
	}}
}

// mapType is a type whose values are map[string]any keyed by field name
// (mutation payloads, user errors); a nil resolve reads the key.
func mapType(defs map[string]fieldDef) *typeDef {
	for name, d := range defs {
		if d.resolve == nil {
			n := name
			d.resolve = func(_ *execCtx, p any, _ map[string]any) (any, error) {
				return p.(map[string]any)[n], nil
			}
			defs[name] = d
		}
	}
	return &typeDef{fields: defs}
}

var scalarField = fieldDef{kind: kScalar}

// anyList converts a typed slice for a kList or kConn field.
func anyList[T any](in []T) []any {
	out := make([]any, len(in))
	for i, v := range in {
		out[i] = v
	}
	return out
}

// countOf answers a Count object.
func countOf(n int) map[string]any { return map[string]any{"count": n, "precision": "EXACT"} }

func init() {
	schema["Count"] = mapType(map[string]fieldDef{"count": scalarField, "precision": scalarField})
	schema["MoneyV2"] = mapType(map[string]fieldDef{"amount": scalarField, "currencyCode": scalarField})
	schema["MoneyBag"] = mapType(map[string]fieldDef{"shopMoney": {kind: kObject, typ: "MoneyV2"},
		"presentmentMoney": {kind: kObject, typ: "MoneyV2"}})
	schema["UserError"] = mapType(map[string]fieldDef{"field": scalarField, "message": scalarField})
}

// moneyBag answers a MoneyBag in the shop's currency.
func moneyBag(cents int64, currency string) map[string]any {
	m := map[string]any{"amount": formatMoney(cents), "currencyCode": currency}
	return map[string]any{"shopMoney": m, "presentmentMoney": m}
}
