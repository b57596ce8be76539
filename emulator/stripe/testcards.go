package stripeemu

import "strings"

// outcome is what charging a card does, per Stripe's testing docs.
type outcome int

const (
	outcomeSucceed outcome = iota
	outcomeDecline
	outcomeAuthRequired
	outcomeDispute // succeeds, then the charge is disputed as fraudulent
)

// testCard is one of Stripe's documented test cards.
type testCard struct {
	brand, last4, funding string
	outcome               outcome
	code, declineCode     string // for declines
	message               string
}

var (
	visa       = testCard{brand: "visa", last4: "4242", funding: "credit"}
	declined   = testCard{brand: "visa", last4: "0002", funding: "credit", outcome: outcomeDecline, code: "card_declined", declineCode: "generic_decline", message: "Your card was declined."}
	noFunds    = testCard{brand: "visa", last4: "9995", funding: "credit", outcome: outcomeDecline, code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds."}
	lost       = testCard{brand: "visa", last4: "9987", funding: "credit", outcome: outcomeDecline, code: "card_declined", declineCode: "lost_card", message: "Your card was declined."}
	stolen     = testCard{brand: "visa", last4: "9979", funding: "credit", outcome: outcomeDecline, code: "card_declined", declineCode: "stolen_card", message: "Your card was declined."}
	expired    = testCard{brand: "visa", last4: "0069", funding: "credit", outcome: outcomeDecline, code: "expired_card", declineCode: "expired_card", message: "Your card has expired."}
	badCVC     = testCard{brand: "visa", last4: "0127", funding: "credit", outcome: outcomeDecline, code: "incorrect_cvc", declineCode: "incorrect_cvc", message: "Your card's security code is incorrect."}
	procError  = testCard{brand: "visa", last4: "0119", funding: "credit", outcome: outcomeDecline, code: "processing_error", declineCode: "processing_error", message: "An error occurred while processing your card. Try again in a little bit."}
	fraudulent = testCard{brand: "visa", last4: "0019", funding: "credit", outcome: outcomeDecline, code: "card_declined", declineCode: "fraudulent", message: "Your card was declined."}
	auth3155   = testCard{brand: "visa", last4: "3155", funding: "credit", outcome: outcomeAuthRequired}
	auth3184   = testCard{brand: "visa", last4: "3184", funding: "credit", outcome: outcomeAuthRequired}
	auth3220   = testCard{brand: "visa", last4: "3220", funding: "credit", outcome: outcomeAuthRequired}
	dispute    = testCard{brand: "visa", last4: "0259", funding: "credit", outcome: outcomeDispute}
)

// testPaymentMethods are Stripe's ready-made test PaymentMethod ids. Using
// one makes a fresh pm_ object from it, as Stripe does.
var testPaymentMethods = map[string]testCard{
	"pm_card_visa":                                 visa,
	"pm_card_visa_debit":                           {brand: "visa", last4: "5556", funding: "debit"},
	"pm_card_mastercard":                           {brand: "mastercard", last4: "4444", funding: "credit"},
	"pm_card_amex":                                 {brand: "amex", last4: "8431", funding: "credit"},
	"pm_card_discover":                             {brand: "discover", last4: "1117", funding: "credit"},
	"pm_card_chargeDeclined":                       declined,
	"pm_card_visa_chargeDeclined":                  declined,
	"pm_card_chargeDeclinedInsufficientFunds":      noFunds,
	"pm_card_visa_chargeDeclinedInsufficientFunds": noFunds,
	"pm_card_chargeDeclinedLostCard":               lost,
	"pm_card_visa_chargeDeclinedLostCard":          lost,
	"pm_card_chargeDeclinedStolenCard":             stolen,
	"pm_card_visa_chargeDeclinedStolenCard":        stolen,
	"pm_card_chargeDeclinedExpiredCard":            expired,
	"pm_card_chargeDeclinedIncorrectCvc":           badCVC,
	"pm_card_chargeDeclinedProcessingError":        procError,
	"pm_card_chargeDeclinedFraudulent":             fraudulent,
	"pm_card_authenticationRequired":               auth3184,
	"pm_card_authenticationRequiredOnSetup":        auth3155,
	"pm_card_threeDSecure2Required":                auth3220,
	"pm_card_threeDSecureRequired":                 auth3220,
	"pm_card_createDispute":                        dispute,
}

// testCardNumbers are Stripe's test card numbers.
var testCardNumbers = map[string]testCard{
	"4242424242424242": visa,
	"4000056655665556": {brand: "visa", last4: "5556", funding: "debit"},
	"5555555555554444": {brand: "mastercard", last4: "4444", funding: "credit"},
	"378282246310005":  {brand: "amex", last4: "0005", funding: "credit"},
	"6011111111111117": {brand: "discover", last4: "1117", funding: "credit"},
	"4000000000000002": declined,
	"4000000000009995": noFunds,
	"4000000000009987": lost,
	"4000000000009979": stolen,
	"4000000000000069": expired,
	"4000000000000127": badCVC,
	"4000000000000119": procError,
	"4100000000000019": fraudulent,
	"4000002500003155": auth3155,
	"4000002760003184": auth3184,
	"4000000000003220": auth3220,
	"4000000000000259": dispute,
}

// testToken resolves tok_visa-style card tokens (card[token]=tok_visa).
func testToken(tok string) (testCard, bool) {
	if !strings.HasPrefix(tok, "tok_") {
		return testCard{}, false
	}
	c, ok := testPaymentMethods["pm_card_"+strings.TrimPrefix(tok, "tok_")]
	return c, ok
}

// cardFromNumber is the test card for number, or a plain succeeding card
// of the brand its prefix names when the number passes the Luhn check.
func cardFromNumber(number string) (testCard, bool) {
	number = strings.ReplaceAll(number, " ", "")
	if c, ok := testCardNumbers[number]; ok {
		return c, true
	}
	if len(number) < 12 || len(number) > 19 || !luhn(number) {
		return testCard{}, false
	}
	brand := "unknown"
	switch {
	case strings.HasPrefix(number, "4"):
		brand = "visa"
	case strings.HasPrefix(number, "5"), strings.HasPrefix(number, "2"):
		brand = "mastercard"
	case strings.HasPrefix(number, "34"), strings.HasPrefix(number, "37"):
		brand = "amex"
	case strings.HasPrefix(number, "6"):
		brand = "discover"
	}
	return testCard{brand: brand, last4: number[len(number)-4:], funding: "credit"}, true
}

func luhn(number string) bool {
	sum, double := 0, false
	for i := len(number) - 1; i >= 0; i-- {
		d := int(number[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
