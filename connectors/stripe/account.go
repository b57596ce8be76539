package stripe

import (
	"context"
	"fmt"

	stripego "github.com/stripe/stripe-go/v82"

	"github.com/concordhub/concord"
	"github.com/concordhub/concord/connector"
)

// Test proves the key with two cheap reads: GET /v1/account gives the account identity
// (acct_...) and GET /v1/balance its livemode. The key prefix says which mode the key
// claims; livemode is what Stripe actually did with it, so when the two disagree (an
// emulator, a proxy, a mislabelled key) livemode wins and the Message says so.
func (*Connector) Test(ctx context.Context, s *connector.Session) (connector.TestResult, error) {
	c, err := newClient(s)
	if err != nil {
		return connector.TestResult{}, err
	}
	acct, err := c.V1Accounts.Retrieve(connector.WithOperation(ctx, "account.retrieve"), nil)
	if err != nil {
		return connector.TestResult{}, wrap("account.retrieve", err)
	}
	bal, err := c.V1Balance.Retrieve(connector.WithOperation(ctx, "balance.retrieve"), nil)
	if err != nil {
		return connector.TestResult{}, wrap("balance.retrieve", err)
	}

	mode := concord.ModeSandbox
	if bal.Livemode {
		mode = concord.ModeProduction
	}
	msg := fmt.Sprintf("connected to %s%s in %s mode", acct.ID, accountName(acct), modeWord(mode))
	if keyMode, ok := keyMode(s.Credentials[FieldSecretKey]); ok && keyMode != mode {
		msg += fmt.Sprintf("; the key's prefix says %s mode but Stripe reports livemode=%t, so the mode is %s",
			modeWord(keyMode), bal.Livemode, mode)
	}
	return connector.TestResult{Mode: mode, AccountID: acct.ID, Message: msg}, nil
}

// accountName is the name an operator recognises the account by, in parentheses, or "".
func accountName(a *stripego.Account) string {
	name := ""
	if a.Settings != nil && a.Settings.Dashboard != nil {
		name = a.Settings.Dashboard.DisplayName
	}
	if name == "" && a.BusinessProfile != nil {
		name = a.BusinessProfile.Name
	}
	if name == "" {
		return ""
	}
	return " (" + name + ")"
}
