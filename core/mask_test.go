package core

import "testing"

func TestIsSecretMask(t *testing.T) {
	const secret = "sk_live_51HxYzAbCdEf9876"
	tests := []struct {
		v    string
		want bool
	}{
		{SecretMask, true},
		{"••••9876", true},   // the mask before SecretMask
		{"[redacted]", true}, // ditto, for short or structured values
		{"••••1234", false},  // another secret's old mask: a new value
		{secret, false},
		{"", false},
		{"••••", false},
	}
	for _, tt := range tests {
		if got := IsSecretMask(tt.v, secret); got != tt.want {
			t.Errorf("IsSecretMask(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}
