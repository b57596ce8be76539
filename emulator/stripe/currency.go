package stripeemu

import (
	"fmt"
	"strings"
)

// minimumCharge is Stripe's minimum amount per settlement currency, in the
// currency's smallest unit; others default to 50.
var minimumCharge = map[string]int64{
	"usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50, "czk": 1500,
	"dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50, "jpy": 50, "mxn": 1000,
	"myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200, "sek": 300, "sgd": 50, "thb": 1000,
}

// zeroDecimal are currencies without minor units, for messages.
var zeroDecimal = map[string]bool{"jpy": true, "krw": true, "vnd": true, "clp": true}

// supportedCurrencies is the subset of Stripe's currency list the emulator
// accepts; anything else is "Invalid currency".
var supportedCurrencies = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`usd aed aud bgn brl cad chf clp cny czk dkk eur gbp hkd huf idr
		ils inr isk jpy krw mxn myr nok nzd php pln ron sek sgd thb try twd vnd zar`) {
		m[c] = true
	}
	return m
}()

// validateAmount checks amount and currency as Stripe does for a charge.
func validateAmount(c *call, required bool) (amount int64, currency string, err *apiError) {
	amount, ok, err := c.p.int64("amount")
	if err != nil {
		return 0, "", err
	}
	if !ok && required {
		return 0, "", errMissing("amount")
	}
	currency, _ = c.p.str("currency")
	currency = strings.ToLower(currency)
	if currency == "" && required {
		return 0, "", errMissing("currency")
	}
	if currency != "" && !supportedCurrencies[currency] {
		return 0, "", errInvalid("currency", "",
			"Invalid currency: "+currency+". Stripe currently supports these currencies: usd, eur, gbp, cad, aud, jpy, ...")
	}
	return amount, currency, nil
}

// checkMinimum answers amount_too_small / amount_too_large.
func checkMinimum(amount int64, currency string) *apiError {
	minimum, ok := minimumCharge[currency]
	if !ok {
		minimum = 50
	}
	if amount < minimum {
		shown := fmt.Sprintf("%.2f", float64(minimum)/100)
		if zeroDecimal[currency] {
			shown = fmt.Sprint(minimum)
		}
		sym := ""
		if currency == "usd" {
			sym = "$"
		}
		return errInvalid("amount", "amount_too_small",
			fmt.Sprintf("Amount must be at least %s%s %s", sym, shown, currency))
	}
	if amount > 99999999 {
		return errInvalid("amount", "amount_too_large", "Amount must be no more than $999,999.99")
	}
	return nil
}
