package core

// SecretMask is what every read shows in place of a secret value: a
// connection's credential fields, an endpoint's static header values, in the
// API, the console and the attempt log. It shows no character of the secret
// (not even the last four: for a short key or a PIN that is much of it) and
// is the same for every secret, so that a client that sends a read back
// unchanged (a form submitted as it was shown) keeps the stored value.
const SecretMask = "••••••••"

// IsSecretMask reports whether v, sent where secret is stored, is a mask of
// it rather than a new value: SecretMask, or a mask reads showed before it
// ("••••" and the secret's last four characters, or "[redacted]"), so that a
// client still holding an older read keeps the stored value too.
func IsSecretMask(v, secret string) bool {
	switch {
	case v == SecretMask || v == "[redacted]":
		return true
	case len(secret) >= 4:
		return v == "••••"+secret[len(secret)-4:]
	}
	return false
}
