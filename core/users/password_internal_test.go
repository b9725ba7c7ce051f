package users

import (
	"strings"
	"testing"
)

func TestHashPassword(t *testing.T) {
	a, b := hashPassword("correct horse battery"), hashPassword("correct horse battery")
	if !strings.HasPrefix(a, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not PHC argon2id with our parameters", a)
	}
	if a == b {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		password, hash string
		want           bool
	}{
		{"correct horse battery", a, true},
		{"correct horse battery", b, true},
		{"Correct horse battery", a, false},
		{"", a, false},
	} {
		if got, err := verifyPassword(tc.password, tc.hash); err != nil || got != tc.want {
			t.Errorf("verifyPassword(%q) = %v, %v; want %v", tc.password, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=0,t=1,p=1$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		if _, err := verifyPassword("x", bad); err == nil {
			t.Errorf("verifyPassword accepted the hash %q", bad)
		}
	}
}

func TestCommonPasswordList(t *testing.T) {
	set := commonPasswords()
	if len(set) != 10000 {
		t.Errorf("the list has %d passwords, want 10000", len(set))
	}
	for p := range set {
		if p != strings.ToLower(p) || len([]rune(p)) < MinPasswordLen {
			t.Fatalf("%q should not be in the list (not lower-cased, or shorter than the minimum)", p)
		}
	}
}
