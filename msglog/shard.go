package msglog

// ShardOf is the shard (1..n) of a customer: FNV-1a 64 of the customer's
// digits, modulo n, plus one. It is stable across runs, machines and
// versions, so shards can be run anywhere and merged.
func ShardOf(customer string, n int) int { return PartOf(customer, n) + 1 }

// PartOf is the part (0..n-1) of a customer: ShardOf less one.
func PartOf[T string | []byte](customer T, n int) int {
	return int(fnv64a(customer) % uint64(n))
}

// fnv64a is FNV-1a 64 (as hash/fnv's New64a), without an allocation: the
// one hash of shards and parts (a CSV part hashes a line's digits with
// fnvStep as it checks them).
func fnv64a[T string | []byte](s T) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = fnvStep(h, s[i])
	}
	return h
}

// fnvStep is one byte of FNV-1a 64.
func fnvStep(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211
