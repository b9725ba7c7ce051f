// Package users decides who may sign in to the console: it implements
// core.UserService over a small Store (core/redisstore implements it).
//
// Passwords are 10 to 256 characters, not one of the 10,000 most common
// (common_passwords.txt), and kept only as argon2id hashes in the PHC
// format. Sign-in answers a wrong password and an unknown email alike, after
// the same hashing work, and locks an email after 5 failures and a client
// address after 20, each for 15 minutes. Invite and setup tokens are 32
// random bytes in base64url behind a bh_inv_ or bh_setup_ prefix, stored
// only as SHA-256 hashes, and work once.
//
// Wire it as
//
//	svc := users.New(store, store, time.Now) // *redisstore.Store is both
package users
