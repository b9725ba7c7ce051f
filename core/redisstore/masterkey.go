package redisstore

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// The master key check, one key shared by all tenants:
//
//	<prefix>meta:masterkey  hash  key_id             id of the key the secrets are sealed with
//	                              check              checkLabel sealed with that key
//	                              rotate_to          id of the new key, while a rotation has not finished
//	                              rotate_started_at  when that rotation started (RFC 3339)
//
// Without it a hub started with the wrong BELLHOP_MASTER_KEY ran, and every
// delivery failed to open its endpoint's secret. The rotation's state lives
// in the same hash so that finishing one (new key_id and check, rotate_*
// removed) is a single-key MULTI, atomic on a cluster too.

// checkLabel is the plaintext of the check value. It is not secret: only
// whether a key opens it matters.
const checkLabel = "bellhop master key check v1"

// Field names of the check hash.
const (
	fieldKeyID        = "key_id"
	fieldCheck        = "check"
	fieldRotateTo     = "rotate_to"
	fieldRotateSince  = "rotate_started_at"
	maxCheckTxRetries = 5
)

// KeySealer is a Sealer that names its key (core/secretbox.Box): what the
// master key check and rotation need, beyond sealing and opening.
type KeySealer interface {
	Sealer
	// KeyID names the key without revealing anything about it.
	KeyID() string
	// SealedKeyID returns the id of the key that sealed a value, "" for a
	// value sealed before values carried one.
	SealedKeyID(sealed []byte) string
}

// WrongKeyError says the master key given does not open the secrets this
// Redis holds. SealedWith is the id of the key that sealed them, "" when
// they predate key ids.
type WrongKeyError struct{ SealedWith string }

func (e *WrongKeyError) Error() string {
	return fmt.Sprintf("the master key does not open the secrets this Redis holds (sealed with key id %s)", e.KeyIDText())
}

// KeyIDText is SealedWith as messages show it.
func (e *WrongKeyError) KeyIDText() string {
	if e.SealedWith == "" {
		return "unknown: sealed before key ids"
	}
	return e.SealedWith
}

// RotatingError says a master key rotation from key id From to To has not
// finished, so that the secrets are sealed partly with each key.
type RotatingError struct{ From, To string }

func (e *RotatingError) Error() string {
	return fmt.Sprintf("a master key rotation from key id %s to key id %s has not finished", e.From, e.To)
}

func (s *Store) masterKeyKey() string { return s.globalKey("meta", "masterkey") }

// CheckMasterKey makes sure box's key opens the secrets this Redis holds,
// before a hub uses it: it opens the check value, or, where there is none
// yet (a first start, or an upgrade from a release without it), the first
// sealed secret it finds, and then writes the check value. It writes
// nothing when the key is wrong. Returns *WrongKeyError for a wrong key and
// *RotatingError while a rotation has not finished: a hub refuses to start
// then, with either key, since some secrets are sealed with each.
func (s *Store) CheckMasterKey(ctx context.Context, box KeySealer) error {
	return s.verifyMasterKey(ctx, box, false)
}

// errNoSealedData is what verifyMasterKey returns, when asked, for a prefix
// holding neither a check value nor a sealed secret.
var errNoSealedData = errors.New("no master key check value and no sealed secret")

// verifyMasterKey is CheckMasterKey; with requireData it writes no check
// value where there is nothing sealed yet and returns errNoSealedData
// instead.
func (s *Store) verifyMasterKey(ctx context.Context, box KeySealer, requireData bool) error {
	key := s.masterKeyKey()
	for range maxCheckTxRetries {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			state, err := tx.HGetAll(ctx, key).Result()
			if err != nil {
				return err
			}
			if state[fieldRotateTo] != "" {
				return &RotatingError{From: state[fieldKeyID], To: state[fieldRotateTo]}
			}
			if state[fieldCheck] != "" {
				return openCheck(box, state)
			}
			sample, err := s.firstSealedValue(ctx)
			switch {
			case err != nil:
				return err
			case sample == nil && requireData:
				return errNoSealedData
			case sample != nil:
				if _, err := box.Open(sample); err != nil {
					return &WrongKeyError{SealedWith: box.SealedKeyID(sample)}
				}
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.HSet(ctx, key, checkFields(box))
				return nil
			})
			return err
		}, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue // another hub wrote the check value first: open it
		}
		return storeErr("check master key", err)
	}
	return fmt.Errorf("check master key: %s kept changing", key)
}

// openCheck opens the check value of state with box.
func openCheck(box KeySealer, state map[string]string) error {
	plain, err := box.Open([]byte(state[fieldCheck]))
	if err != nil || subtle.ConstantTimeCompare(plain, []byte(checkLabel)) != 1 {
		return &WrongKeyError{SealedWith: state[fieldKeyID]}
	}
	return nil
}

// checkFields returns the check hash's fields for box's key.
func checkFields(box KeySealer) map[string]string {
	sealed, _ := box.Seal([]byte(checkLabel))
	return map[string]string{fieldKeyID: box.KeyID(), fieldCheck: string(sealed)}
}

// errFound stops a scan at the first sealed value.
var errFound = errors.New("found")

// firstSealedValue returns one sealed value of the store's records, or nil
// if none holds any.
func (s *Store) firstSealedValue(ctx context.Context) ([]byte, error) {
	var found []byte
	err := s.scanSealedRecords(ctx, func(key, kind string) error {
		raw, err := s.rdb.Get(ctx, key).Bytes()
		if errors.Is(err, redis.Nil) {
			return nil
		} else if err != nil {
			return err
		}
		_, err = sealedKinds[kind](raw, func(v []byte) ([]byte, error) {
			found = v
			return nil, errFound
		})
		return err
	})
	if err != nil && !errors.Is(err, errFound) {
		return nil, storeErr("find a sealed secret", err)
	}
	return found, nil
}
