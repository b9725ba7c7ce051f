package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bellhop/bellhop/core"
	"github.com/bellhop/bellhop/core/users"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// newUsersCommand is `bellhop users`: console users managed straight in
// the store, for the operator who has Redis but no console yet. The
// password comes from stdin, never from a flag, which would land in the
// shell's history.
func newUsersCommand(getenv func(string) string, stdin io.Reader, stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "users", Short: "Manage console users in the store (needs REDIS_URL)"}
	var account, email, role string
	var where storeFlags
	openService := func(cmd *cobra.Command) (*users.Service, func(), error) {
		store, closeStore, err := where.open(cmd.Context(), cmd, getenv, "users are kept")
		if err != nil {
			return nil, nil, err
		}
		return users.New(store, store, time.Now), closeStore, nil
	}
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a console user; the password is read from stdin or prompted for",
		Example: `  bellhop users create --email ann@example.com --role owner
  printf '%s\n' "$PASSWORD" | bellhop users create --email ci@example.com --role viewer`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !core.Role(role).Valid() {
				return errors.New("--role must be owner, developer or viewer")
			}
			password, err := readPassword(stdin, stdout)
			if err != nil {
				return err
			}
			svc, closeStore, err := openService(cmd)
			if err != nil {
				return err
			}
			defer closeStore()
			u, err := svc.CreateUser(cmd.Context(), account, email, password, core.Role(role))
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(stdout, "user:    %s\nemail:   %s\nrole:    %s\naccount: %s\n", u.ID, u.Email, u.Role, u.AccountID)
			return nil
		},
	}
	create.Flags().StringVar(&email, "email", "", "the user's email (required)")
	create.Flags().StringVar(&role, "role", "", "owner, developer or viewer (required)")
	create.MarkFlagRequired("email")
	create.MarkFlagRequired("role")

	list := &cobra.Command{
		Use:   "list",
		Short: "List an account's console users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, closeStore, err := openService(cmd)
			if err != nil {
				return err
			}
			defer closeStore()
			list, err := svc.ListUsers(cmd.Context(), account)
			if err != nil {
				return cliError(err)
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tCREATED")
			for _, u := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Role, u.CreatedAt.Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
	for _, c := range []*cobra.Command{create, list} {
		where.add(c)
		c.Flags().StringVar(&account, "account", defaultAccount, "the account's id")
	}
	cmd.AddCommand(create, list)
	return cmd
}

// cliError says a *core.Error in words (naming its field) and leaves
// other errors as they are.
func cliError(err error) error {
	var e *core.Error
	if errors.As(err, &e) && e.Param != "" {
		return fmt.Errorf("%s: %s", e.Param, e.Message)
	} else if errors.As(err, &e) {
		return errors.New(e.Message)
	}
	return err
}

// readPassword prompts twice on a terminal, without echo; otherwise it
// reads the first line of stdin (a pipe, a file, a test).
func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stdout, "Again:    ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on stdin: pipe it in, or run in a terminal to be prompted")
	}
	return line, nil
}
