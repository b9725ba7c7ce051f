package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bellhop/bellhop/core/catalog"
)

// completeFlagValues teaches shell completion (`bellhop completion
// bash|zsh|fish`, which cobra provides) the values of the flags that take a
// known set: --output's formats, and event types for --type (one) and
// --events or --types (a comma-separated list, or "*"). The types are the catalog's shipped ones, read from the binary,
// so pressing Tab never calls a hub; an account's custom types are typed out.
func completeFlagValues(cmd *cobra.Command) {
	types := eventTypeChoices()
	var visit func(*cobra.Command)
	visit = func(cmd *cobra.Command) {
		flags := pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
		flags.AddFlagSet(cmd.Flags())
		flags.AddFlagSet(cmd.PersistentFlags()) // not in Flags() until cobra parses
		flags.VisitAll(func(f *pflag.Flag) {
			if f.Value.Type() != "string" {
				return // bench's --events is a count
			}
			switch f.Name {
			case "output":
				register(cmd, f.Name, func(string) []string { return outputFormats })
			case "type":
				register(cmd, f.Name, func(string) []string { return types[1:] }) // not "*"
			case "events", "types":
				register(cmd, f.Name, func(typed string) []string { return listChoices(typed, types) })
			}
		})
		for _, sub := range cmd.Commands() {
			visit(sub)
		}
	}
	visit(cmd)
}

func register(cmd *cobra.Command, flag string, choices func(typed string) []string) {
	// A flag object is registered once; an error only says it already was.
	_ = cmd.RegisterFlagCompletionFunc(flag, func(_ *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, c := range choices(typed) {
			if strings.HasPrefix(c, typed) {
				out = append(out, c)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
}

// eventTypeChoices is "*", then each shipped type.
func eventTypeChoices() []string {
	cat, err := catalog.New(nil)
	if err != nil {
		return nil // the embedded catalog always loads; completion just offers nothing
	}
	out := []string{"*"}
	for _, t := range cat.Shipped() {
		out = append(out, t.Type)
	}
	return out
}

// listChoices completes the last item of a comma-separated list, keeping
// the items before it and leaving out the ones already there; "*" stands
// only alone.
func listChoices(typed string, choices []string) []string {
	i := strings.LastIndex(typed, ",")
	if i < 0 {
		return choices
	}
	done := typed[:i+1]
	have := strings.Split(typed[:i], ",")
	var out []string
	for _, c := range choices {
		if c != "*" && !slices.Contains(have, c) {
			out = append(out, done+c)
		}
	}
	return out
}
