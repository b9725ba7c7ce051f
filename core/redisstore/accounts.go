package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/bellhop/bellhop/core"
	"github.com/redis/go-redis/v9"
)

// maxAccountName bounds an account's name, in characters.
const maxAccountName = 100

// FindAccount returns an account. Returns ENOTFOUND if there is none.
func (s *Store) FindAccount(ctx context.Context, id string) (*core.Account, error) {
	b, err := s.rdb.Get(ctx, s.accountKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, core.NotFound("account", id)
	} else if err != nil {
		return nil, storeErr("find account", err)
	}
	var a core.Account
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, storeErr("decode account", err)
	}
	return &a, nil
}

// UpdateAccount changes an account's name and developer contact. The record
// is rewritten under WATCH, so two owners saving at once cannot lose a
// field the other did not touch. Returns EINVALID naming the field and
// ENOTFOUND if there is no such account.
func (s *Store) UpdateAccount(ctx context.Context, id string, in core.AccountUpdate) (*core.Account, error) {
	name, contact, err := checkAccountUpdate(in)
	if err != nil {
		return nil, err
	}
	key := s.accountKey(id)
	var out *core.Account
	update := func(tx *redis.Tx) error {
		b, err := tx.Get(ctx, key).Bytes()
		if errors.Is(err, redis.Nil) {
			return core.NotFound("account", id)
		} else if err != nil {
			return err
		}
		var a core.Account
		if err := json.Unmarshal(b, &a); err != nil {
			return err
		}
		if name != nil {
			a.Name = *name
		}
		if contact != nil {
			a.DeveloperContact = *contact
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, mustJSON(&a), 0)
			return nil
		})
		out = &a
		return err
	}
	for range 50 { // another save between GET and SET: read again
		err = s.rdb.Watch(ctx, update, key)
		if !errors.Is(err, redis.TxFailedErr) {
			break
		}
	}
	if err != nil {
		return nil, storeErr("update account", err) // a *core.Error passes as it is
	}
	return out, nil
}

// checkAccountUpdate trims the fields of in and checks them: a name of 1
// to maxAccountName characters, a contact that is empty or one plain email
// address.
func checkAccountUpdate(in core.AccountUpdate) (name, contact *string, err error) {
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" {
			return nil, nil, core.ParamError("name", "The account needs a name.")
		}
		if utf8.RuneCountInString(n) > maxAccountName {
			return nil, nil, core.ParamError("name", "The name is too long: at most %d characters.", maxAccountName)
		}
		name = &n
	}
	if in.DeveloperContact != nil {
		c := strings.TrimSpace(*in.DeveloperContact)
		if c != "" {
			addr, perr := mail.ParseAddress(c)
			if perr != nil || addr.Address != c || !strings.Contains(c[strings.LastIndexByte(c, '@')+1:], ".") {
				return nil, nil, core.ParamError("developer_contact", "The developer contact must be one email address, like dev@example.com.")
			}
		}
		contact = &c
	}
	return name, contact, nil
}
