package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/bellhop/bellhop/core"
	"github.com/spf13/cobra"
)

// newKeysCommand is `bellhop keys`: API keys managed straight in the store,
// for the operator who has Redis but no key yet, and the master key's
// rotation.
func newKeysCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage API keys and the master key in the store (needs REDIS_URL)"}
	var (
		account, accountName, name string
		live                       bool
		rateLimit                  int
		where                      storeFlags
	)
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API key and print its secret (shown once)",
		Example: `  bellhop keys create --account-name "Hotel Aurora"      # a new account and its test key
  bellhop keys create --account acct_123 --live --name prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (account == "") == (accountName == "") {
				return errors.New("give either --account acct_… (an existing account) or --account-name NAME (a new one)")
			}
			store, closeStore, err := where.open(cmd.Context(), cmd, getenv, "keys are created")
			if err != nil {
				return err
			}
			defer closeStore()
			if accountName != "" {
				acct, err := store.CreateAccount(cmd.Context(), accountName)
				if err != nil {
					return err
				}
				account = acct.ID
			}
			key, secret, err := store.CreateAPIKey(cmd.Context(), core.Scope{AccountID: account, Livemode: live}, name, rateLimit)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "account: %s\nkey id:  %s\nsecret:  %s\n\nThe secret is shown only now: store it safely.\n", account, key.ID, secret)
			return nil
		},
	}
	where.add(create)
	create.Flags().StringVar(&account, "account", "", "id of an existing account")
	create.Flags().StringVar(&accountName, "account-name", "", "create a new account with this name")
	create.Flags().StringVar(&name, "name", "", "a label for the key")
	create.Flags().BoolVar(&live, "live", false, "a live-mode key (bh_live_…); default test mode")
	create.Flags().IntVar(&rateLimit, "rate-limit", 0, "requests per minute (0: the server default)")
	cmd.AddCommand(create, newRotateMasterCommand(getenv, stdout))
	return cmd
}
