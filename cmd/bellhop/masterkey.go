package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/bellhop/bellhop/core/redisstore"
)

// checkMasterKey stops start-up when BELLHOP_MASTER_KEY cannot open the
// secrets the store holds: without it the hub would run and every delivery
// would fail to open its endpoint's secret. On a first start it records the
// key's check value (redisstore.Store.CheckMasterKey).
func checkMasterKey(ctx context.Context, store *redisstore.Store, box redisstore.KeySealer) error {
	err := store.CheckMasterKey(ctx, box)
	var wrong *redisstore.WrongKeyError
	var rotating *redisstore.RotatingError
	switch {
	case errors.As(err, &wrong):
		return fmt.Errorf("BELLHOP_MASTER_KEY does not open the secrets this Redis holds (sealed with key id %s); start with the key they were sealed with, or rotate with bellhop keys rotate-master", wrong.KeyIDText())
	case errors.As(err, &rotating):
		return fmt.Errorf("BELLHOP_MASTER_KEY: a master key rotation from key id %s to key id %s has not finished, so the secrets are sealed partly with each; run bellhop keys rotate-master again with both keys (it continues where it stopped), then start with the new key", rotating.From, rotating.To)
	case err != nil:
		return fmt.Errorf("check BELLHOP_MASTER_KEY: %w", err)
	}
	return nil
}
