package simulate

import (
	"fmt"
	"strings"

	"github.com/wacost/wacost/pricing"
)

// PoolKind is the kind of a monthly pool whose messages a merge ranks.
type PoolKind uint8

// Pool kinds.
const (
	// PoolQuota: the 2026-10 free service quota of a business number.
	PoolQuota PoolKind = iota + 1
	// PoolTier: a conversation free tier of the account (per family).
	PoolTier
	// PoolVolume: a market's billed messages of one price key, for the
	// volume tiers.
	PoolVolume
)

var poolKindNames = [...]string{PoolQuota: "quota", PoolTier: "tier", PoolVolume: "volume"}

// PoolKey names one monthly pool. As text (in a partial's JSON) it is
// "quota/BUSINESS/MONTH", "tier/FAMILY/MONTH" or "volume/MARKET/KEY/MONTH".
type PoolKey struct {
	Kind PoolKind
	// Scope is the business number (quota), the card family (tier) or
	// the market (volume).
	Scope string
	// Key is the price key of a volume pool ("" otherwise).
	Key   string
	Month string
}

func (k PoolKey) String() string {
	if int(k.Kind) >= len(poolKindNames) || poolKindNames[k.Kind] == "" {
		return fmt.Sprintf("pool(%d)", k.Kind)
	}
	if k.Kind == PoolVolume {
		return "volume/" + k.Scope + "/" + k.Key + "/" + k.Month
	}
	return poolKindNames[k.Kind] + "/" + k.Scope + "/" + k.Month
}

// MarshalText writes the key as text.
func (k PoolKey) MarshalText() ([]byte, error) {
	if k.Kind < PoolQuota || k.Kind > PoolVolume {
		return nil, fmt.Errorf("pool kind %d", k.Kind)
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a key written by MarshalText. The month is the last
// part and a volume pool's key the one before it, so a scope may hold "/".
func (k *PoolKey) UnmarshalText(b []byte) error {
	s := string(b)
	kind, rest, ok := strings.Cut(s, "/")
	var key PoolKey
	for i, n := range poolKindNames {
		if n != "" && n == kind {
			key.Kind = PoolKind(i)
		}
	}
	i := strings.LastIndexByte(rest, '/')
	if !ok || key.Kind == 0 || i < 0 {
		return fmt.Errorf("pool %q: want quota/BUSINESS/MONTH, tier/FAMILY/MONTH or volume/MARKET/KEY/MONTH", s)
	}
	key.Scope, key.Month = rest[:i], rest[i+1:]
	if key.Kind == PoolVolume {
		j := strings.LastIndexByte(key.Scope, '/')
		if j < 0 {
			return fmt.Errorf("pool %q: want volume/MARKET/KEY/MONTH", s)
		}
		key.Scope, key.Key = key.Scope[:j], key.Scope[j+1:]
	}
	if key.Scope == "" || key.Month == "" {
		return fmt.Errorf("pool %q: an empty part", s)
	}
	*k = key
	return nil
}

// size is how many of the pool's messages are free under settings s
// (volume pools have no free messages).
func (k PoolKey) size(s Settings) (int64, error) {
	switch {
	case k.Kind == PoolQuota:
		return s.ServiceQuota, nil
	case k.Kind == PoolTier && k.Scope == string(pricing.FamilyMexico):
		return s.MexicoFree, nil
	case k.Kind == PoolTier:
		return s.FreeTier, nil
	}
	return 0, fmt.Errorf("pool %s has no free size", k)
}
