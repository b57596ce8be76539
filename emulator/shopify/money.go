package shopifyemu

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// parseMoney reads a decimal amount ("19.99", "5", 19.99) into cents.
func parseMoney(v any) (int64, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return x * 100, nil
	case int:
		return int64(x) * 100, nil
	case json.Number:
		s = x.String()
	default:
		return 0, fmt.Errorf("not an amount: %v", v)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 && strings.Trim(frac[2:], "0") != "" {
		return 0, fmt.Errorf("not an amount: %q", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt("0"+whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an amount: %q", s)
	}
	f, err := strconv.ParseInt(frac[:2], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an amount: %q", s)
	}
	c := w*100 + f
	if neg {
		c = -c
	}
	return c, nil
}

// formatMoney renders cents as Shopify's decimal string ("19.99").
func formatMoney(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// toInt reads an integer argument, whether from a literal (int64) or a
// JSON variable (float64).
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}
