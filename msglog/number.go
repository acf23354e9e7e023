package msglog

// NumberLenShift is where NumberKey keeps a number's length: keys with
// the same bits above it are numbers of one length, and order as their
// strings do.
const NumberLenShift = 52

// NumberKey packs a number of 1 to 15 digits with its length (so that
// leading zeros count) into one integer below 2^56: two numbers have the
// same key exactly when they are the same string. ok is false for
// anything else.
func NumberKey(s string) (key uint64, ok bool) { return numberKey(s) }

func numberKey[T string | []byte](s T) (key uint64, ok bool) {
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v | uint64(len(s))<<NumberLenShift, true
}

// pow10 holds the powers of ten a number key can need.
var pow10 = func() (p [16]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = 10 * p[i-1]
	}
	return p
}()

// NumberLess compares two different NumberKey keys as their digit strings
// compare: by value at one length, else by the shorter number against
// the longer one's first digits (a prefix comes first).
func NumberLess(a, b uint64) bool {
	const valueBits = 1<<NumberLenShift - 1
	la, lb := a>>NumberLenShift, b>>NumberLenShift
	va, vb := a&valueBits, b&valueBits
	switch {
	case la == lb:
		return va < vb
	case la < lb:
		return va <= vb/pow10[lb-la]
	default:
		return va/pow10[la-lb] < vb
	}
}
