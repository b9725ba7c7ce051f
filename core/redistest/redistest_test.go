package redistest

import (
	"context"
	"testing"
)

func TestCleanupDeletesOnlyItsPrefix(t *testing.T) {
	ctx := context.Background()
	r := New(t)
	outside := "bhtest:outside:" + randomHex(4)
	for _, k := range []string{r.Prefix + "a", r.Prefix + "{acct_1}:b", outside} {
		if err := r.Client.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	defer r.Client.Del(ctx, outside)

	r.deletePrefix()

	if n := r.Client.Exists(ctx, r.Prefix+"a", r.Prefix+"{acct_1}:b").Val(); n != 0 {
		t.Errorf("%d keys under the prefix survived", n)
	}
	if n := r.Client.Exists(ctx, outside).Val(); n != 1 {
		t.Errorf("a key outside the prefix was deleted")
	}
}
