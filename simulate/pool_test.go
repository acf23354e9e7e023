package simulate

import (
	"encoding/json"
	"strings"
	"testing"
)

// Pool keys are typed in the engine and the merge, and text in a
// partial's JSON, as they always were.
func TestPoolKeyText(t *testing.T) {
	for _, c := range []struct {
		key  PoolKey
		text string
	}{
		{PoolKey{Kind: PoolQuota, Scope: "15550001111", Month: "2026-10"}, "quota/15550001111/2026-10"},
		{PoolKey{Kind: PoolTier, Scope: "mexico", Month: "2021-03"}, "tier/mexico/2021-03"},
		{PoolKey{Kind: PoolVolume, Scope: "Rest of Asia Pacific", Key: "utility", Month: "2025-08"}, "volume/Rest of Asia Pacific/utility/2025-08"},
		{PoolKey{Kind: PoolQuota, Scope: "acme/eu", Month: "2026-11"}, "quota/acme/eu/2026-11"},
	} {
		b, err := json.Marshal(c.key)
		if err != nil || string(b) != `"`+c.text+`"` {
			t.Fatalf("%+v: %s %v", c.key, b, err)
		}
		var back PoolKey
		if err := json.Unmarshal(b, &back); err != nil || back != c.key {
			t.Fatalf("%s: %+v %v", b, back, err)
		}
	}
	for _, bad := range []string{"quota", "quota/x", "pool/a/b", "volume/India/2025-08", "tier//2025-08", "quota/x/"} {
		var k PoolKey
		if err := k.UnmarshalText([]byte(bad)); err == nil || !strings.Contains(err.Error(), "pool") {
			t.Errorf("%q: %+v, %v", bad, k, err)
		}
	}
	if _, err := (PoolKey{}).MarshalText(); err == nil {
		t.Error("a key without a kind: want an error")
	}
	s := Settings{ServiceQuota: 3, FreeTier: 5, MexicoFree: 7}
	for k, want := range map[PoolKey]int64{{Kind: PoolQuota}: 3, {Kind: PoolTier, Scope: "conversation"}: 5, {Kind: PoolTier, Scope: "mexico"}: 7} {
		if n, err := k.size(s); err != nil || n != want {
			t.Errorf("%v: %d %v, want %d", k, n, err, want)
		}
	}
	if _, err := (PoolKey{Kind: PoolVolume}).size(s); err == nil {
		t.Error("a volume pool has no free size: want an error")
	}
}
