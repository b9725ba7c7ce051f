package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// maxRotatePasses bounds the passes over the records: the first re-seals,
// the second finds nothing left. More mean a hub with the old key keeps
// sealing new secrets while the rotation runs.
const maxRotatePasses = 4

// maxRecordTxRetries bounds the retries of one record's re-seal when a hub
// changes the record between the read and the write.
const maxRecordTxRetries = 10

// RotateOptions tune RotateMasterKey.
type RotateOptions struct {
	// OnResealed, when set, is called after each record is re-sealed and
	// stored, with its Redis key: for progress, and for tests to stop a
	// rotation part-way through by cancelling its context.
	OnResealed func(key string)
}

// RotateResult says what RotateMasterKey did.
type RotateResult struct {
	Resumed     bool // it continued a rotation to the same key that had stopped part-way
	AlreadyDone bool // the secrets were already sealed with the new key; nothing was written
	Resealed    int  // records this run re-sealed
}

// ErrSameKey is returned by RotateMasterKey when the old and new keys are one.
var ErrSameKey = errors.New("the old and new master keys are the same")

// RotateMasterKey re-seals every sealed value (endpoint signing secrets,
// rotated-out ones included, static header values, connection credentials)
// from old to next, then makes next the key the check value names.
//
// It is resumable: it first records rotate_to in the check hash; each
// record is re-sealed in its own WATCH/MULTI, and a value already sealed
// with next (its key id says so) is left alone, so a run stopped at any
// point (ctx cancelled, process killed) is continued by the next run with
// the same keys. Until it finishes, CheckMasterKey refuses either key.
//
// Returns *WrongKeyError if old does not open the secrets, *RotatingError
// if a rotation to another key has not finished, ErrSameKey, and an error
// naming the prefix when it holds nothing sealed at all (a wrong prefix
// would otherwise "rotate" nothing and leave a check value behind).
func (s *Store) RotateMasterKey(ctx context.Context, old, next KeySealer, opts RotateOptions) (RotateResult, error) {
	var res RotateResult
	if old.KeyID() == next.KeyID() {
		return res, ErrSameKey
	}
	key := s.masterKeyKey()
	state, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return res, storeErr("read master key check", err)
	}
	switch to := state[fieldRotateTo]; {
	case to != "" && to != next.KeyID():
		return res, &RotatingError{From: state[fieldKeyID], To: to}
	case to != "":
		if err := openCheck(old, state); err != nil {
			return res, err
		}
		res.Resumed = true
	case state[fieldCheck] != "" && openCheck(next, state) == nil:
		res.AlreadyDone = true
		return res, nil
	default:
		if err := s.verifyMasterKey(ctx, old, true); errors.Is(err, errNoSealedData) {
			return res, fmt.Errorf("nothing is sealed under the prefix %q (no check value, no endpoint or connection): is it the hub's prefix?", s.opts.Prefix)
		} else if err != nil {
			return res, err
		}
		if err := s.rdb.HSet(ctx, key, fieldRotateTo, next.KeyID(), fieldRotateSince, time.Now().UTC().Format(time.RFC3339)).Err(); err != nil {
			return res, storeErr("record master key rotation", err)
		}
	}

	for pass := 1; ; pass++ {
		n, err := s.resealAll(ctx, old, next, opts)
		res.Resealed += n
		if err != nil {
			return res, err
		}
		if n == 0 {
			break
		}
		if pass == maxRotatePasses {
			return res, errors.New("secrets are still being sealed with the old key: stop every hub that runs with it, then run the rotation again")
		}
	}
	return res, s.finishRotation(ctx, next)
}

// resealAll re-seals the records not yet sealed with next, and returns how
// many it re-sealed.
func (s *Store) resealAll(ctx context.Context, old, next KeySealer, opts RotateOptions) (int, error) {
	n := 0
	err := s.scanSealedRecords(ctx, func(key, kind string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		changed, err := s.resealRecord(ctx, key, kind, old, next)
		if err != nil {
			return err
		}
		if changed {
			n++
			if opts.OnResealed != nil {
				opts.OnResealed(key)
			}
		}
		return nil
	})
	return n, storeErr("re-seal secrets", err)
}

// resealRecord re-seals, in one WATCH/MULTI, each value of a record not yet
// sealed with next, and reports whether it wrote the record.
func (s *Store) resealRecord(ctx context.Context, key, kind string, old, next KeySealer) (bool, error) {
	for range maxRecordTxRetries {
		changed := false
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			raw, err := tx.Get(ctx, key).Bytes()
			if errors.Is(err, redis.Nil) {
				return nil // deleted since the scan
			} else if err != nil {
				return err
			}
			out, err := sealedKinds[kind](raw, func(v []byte) ([]byte, error) {
				if next.SealedKeyID(v) == next.KeyID() {
					return v, nil
				}
				plain, err := old.Open(v)
				if err != nil {
					return nil, fmt.Errorf("%s: a secret opens with neither key: %w", key, &WrongKeyError{SealedWith: old.SealedKeyID(v)})
				}
				changed = true
				return next.Seal(plain)
			})
			if err != nil || !changed {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, out, redis.KeepTTL)
				return nil
			})
			return err
		}, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue // a hub saved the record meanwhile: read it again
		}
		return changed && err == nil, err
	}
	return false, fmt.Errorf("%s kept changing while it was re-sealed", key)
}

// finishRotation makes next the key of the check value and ends the
// rotation, in one MULTI.
func (s *Store) finishRotation(ctx context.Context, next KeySealer) error {
	key := s.masterKeyKey()
	err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		to, err := tx.HGet(ctx, key, fieldRotateTo).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if to != next.KeyID() {
			return fmt.Errorf("the rotation record changed (rotate_to %q): another rotation ran meanwhile", to)
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, key, checkFields(next))
			p.HDel(ctx, key, fieldRotateTo, fieldRotateSince)
			return nil
		})
		return err
	}, key)
	return storeErr("finish master key rotation", err)
}
