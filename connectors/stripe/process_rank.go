package stripe

// Ranks order two reports of one object made in the same second (see HandleWebhook): the
// higher rank is further along the object's lifecycle. Unknown states rank 0, so a state
// Stripe adds later never displaces a known one of the same second. Every rank stays below
// 1000, the room version leaves inside one second.

// paymentRank follows a PaymentIntent's lifecycle. payment_failed sits above the states a
// retry passes through again and below the final ones, so a decline followed by a
// successful retry in the same second ends as succeeded.
var paymentRank = map[string]int{
	"requires_payment_method": 1,
	"requires_confirmation":   2,
	"requires_action":         3,
	"processing":              4,
	"requires_capture":        5,
	"payment_failed":          6,
	"succeeded":               7,
	"canceled":                7,
}

// methodEventRank ranks the payment_method events the hub handles (a method's health is
// computed, so the event and not a status says how far it got); detached comes last.
var methodEventRank = map[string]int{
	"payment_method.attached":              1,
	"payment_method.updated":               2,
	"payment_method.automatically_updated": 3,
	"payment_method.detached":              4,
}

// disputeRank follows a dispute from inquiry (warning_*) to chargeback to a final outcome;
// an inquiry can escalate to a chargeback, so every warning_* state ranks below needs_response.
var disputeRank = map[string]int{
	"warning_needs_response": 1,
	"warning_under_review":   2,
	"warning_closed":         3,
	"needs_response":         4,
	"under_review":           5,
	"prevented":              6,
	"won":                    6,
	"lost":                   6,
}

// payoutRank follows pending -> in_transit -> paid. failed ranks above paid because Stripe
// may report a payout paid and then failed when the bank returns it.
var payoutRank = map[string]int{
	"pending":    1,
	"in_transit": 2,
	"canceled":   3,
	"paid":       3,
	"failed":     4,
}
