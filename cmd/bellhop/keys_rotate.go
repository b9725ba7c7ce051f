package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/bellhop/bellhop/core/redisstore"
	"github.com/bellhop/bellhop/core/secretbox"
	"github.com/spf13/cobra"
)

// rotateProgressEvery is how many re-sealed records pass between progress lines.
const rotateProgressEvery = 1000

// rotateSettings are the settings of `bellhop keys rotate-master`: each a
// flag with an environment variable, the flag winning, as for serve. The
// keys are best given in the environment: a flag shows in ps and history.
type rotateSettings struct {
	redisURL, prefix, oldKey, newKey string
}

// newRotateMasterCommand is `bellhop keys rotate-master`.
func newRotateMasterCommand(getenv func(string) string, stdout io.Writer) *cobra.Command {
	var set rotateSettings
	cmd := &cobra.Command{
		Use:   "rotate-master",
		Short: "Re-seal every stored secret with a new master key (resumable)",
		Long: `Re-seal every secret the hub stores (endpoint signing secrets, rotated-out
ones still in their grace period, static header values, connection
credentials) from the old master key to the new one, then make the new key
the one hubs must start with.

Stop every hub first: a hub that runs with the old key cannot open what is
re-sealed, and hubs refuse to start, with either key, until the rotation has
finished. If the command stops part-way (killed, Ctrl-C, Redis gone), run it
again with the same keys: it continues where it stopped. Keep the old key
until it has finished.`,
		Example: `  export BELLHOP_MASTER_KEY=…                                # the key the hubs run with now
  export BELLHOP_NEW_MASTER_KEY=$(openssl rand -base64 32)  # keep it safe first
  bellhop keys rotate-master`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return rotateMaster(cmd.Context(), set.withEnv(cmd, getenv), stdout)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&set.redisURL, "redis-url", "", "Redis URL of the hub [$REDIS_URL]")
	fs.StringVar(&set.prefix, "redis-prefix", "bh:", "Redis key prefix of the hub [$BELLHOP_REDIS_PREFIX]")
	fs.StringVar(&set.oldKey, "old-key", "", "the master key the secrets are sealed with now [$BELLHOP_MASTER_KEY]")
	fs.StringVar(&set.newKey, "new-key", "", "the master key to re-seal them with [$BELLHOP_NEW_MASTER_KEY]")
	return cmd
}

// withEnv fills each setting not given as a flag from its variable.
func (s rotateSettings) withEnv(cmd *cobra.Command, getenv func(string) string) rotateSettings {
	for _, f := range []struct {
		flag, env string
		v         *string
	}{
		{"redis-url", "REDIS_URL", &s.redisURL},
		{"redis-prefix", "BELLHOP_REDIS_PREFIX", &s.prefix},
		{"old-key", "BELLHOP_MASTER_KEY", &s.oldKey},
		{"new-key", "BELLHOP_NEW_MASTER_KEY", &s.newKey},
	} {
		if v := getenv(f.env); v != "" && !cmd.Flags().Changed(f.flag) {
			*f.v = v
		}
	}
	return s
}

// rotateMaster runs the rotation and says what it did. It prints key ids,
// never keys.
func rotateMaster(ctx context.Context, set rotateSettings, stdout io.Writer) error {
	if set.redisURL == "" {
		return errors.New("REDIS_URL (--redis-url): the secrets to re-seal are in the hub's Redis")
	}
	oldBox, err := openBox("BELLHOP_MASTER_KEY (--old-key)", set.oldKey)
	if err != nil {
		return err
	}
	newBox, err := openBox("BELLHOP_NEW_MASTER_KEY (--new-key)", set.newKey)
	if err != nil {
		return err
	}
	rdb, _, err := redisstore.Open(ctx, set.redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	store := redisstore.New(rdb, redisstore.Options{Prefix: set.prefix})

	fmt.Fprintf(stdout, "re-sealing the secrets under %q from key id %s to key id %s\n", set.prefix, oldBox.KeyID(), newBox.KeyID())
	done := 0
	res, err := store.RotateMasterKey(ctx, oldBox, newBox, redisstore.RotateOptions{OnResealed: func(string) {
		if done++; done%rotateProgressEvery == 0 {
			fmt.Fprintf(stdout, "  %d records re-sealed\n", done)
		}
	}})
	if err != nil {
		return rotateError(err, done)
	}
	switch {
	case res.AlreadyDone:
		fmt.Fprintf(stdout, "the secrets are already sealed with key id %s: nothing to do\n", newBox.KeyID())
	case res.Resumed:
		fmt.Fprintf(stdout, "continued a stopped rotation: re-sealed %d more records\n", res.Resealed)
	default:
		fmt.Fprintf(stdout, "re-sealed %d records\n", res.Resealed)
	}
	fmt.Fprintf(stdout, "done: start the hubs with the new key as BELLHOP_MASTER_KEY (key id %s); the old key is no longer needed\n", newBox.KeyID())
	return nil
}

// openBox parses a key from setting and returns its box.
func openBox(setting, b64 string) (*secretbox.Box, error) {
	if b64 == "" {
		return nil, fmt.Errorf("%s: required", setting)
	}
	key, err := secretbox.ParseKeyFor(setting, b64)
	if err != nil {
		return nil, err
	}
	return secretbox.New(key)
}

// rotateError turns a rotation's error into what the operator does next.
func rotateError(err error, done int) error {
	var wrong *redisstore.WrongKeyError
	var rotating *redisstore.RotatingError
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("stopped after re-sealing %d records; run the same command again to continue, and keep both keys until it finishes", done)
	case errors.Is(err, redisstore.ErrSameKey):
		return errors.New("BELLHOP_NEW_MASTER_KEY (--new-key): it is the old key; generate a new one with: openssl rand -base64 32")
	case errors.As(err, &rotating):
		return fmt.Errorf("BELLHOP_NEW_MASTER_KEY (--new-key): a rotation from key id %s to key id %s has not finished; run it again with that new key first", rotating.From, rotating.To)
	case errors.As(err, &wrong):
		return fmt.Errorf("BELLHOP_MASTER_KEY (--old-key) does not open the secrets this Redis holds (sealed with key id %s): give the key they were sealed with", wrong.KeyIDText())
	}
	return fmt.Errorf("rotate master key (after %d records; run again to continue): %w", done, err)
}
