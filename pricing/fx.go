package pricing

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// FX converts amounts into another currency at a fixed rate.
type FX struct {
	To string
	// Rate is units of To per unit of the card's currency, exact to 6 decimals.
	Rate Money
}

// ParseFX parses "EUR=0.92".
func ParseFX(s string) (FX, error) {
	cur, rate, ok := strings.Cut(s, "=")
	cur = strings.ToUpper(strings.TrimSpace(cur))
	if !ok || len(cur) != 3 {
		return FX{}, fmt.Errorf("--fx %q: want CUR=RATE, e.g. EUR=0.92", s)
	}
	r, err := ParseMoney(rate)
	if err != nil || r <= 0 {
		if err == nil {
			err = errors.New("must be positive")
		}
		return FX{}, fmt.Errorf("--fx %q: rate: %w", s, err)
	}
	return FX{To: cur, Rate: r}, nil
}

// Convert returns m in the target currency, rounded half away from zero
// to a millionth. Each message is converted once; totals sum the results.
func (f FX) Convert(m Money) Money {
	neg := m < 0
	a := uint64(m)
	if neg {
		a = uint64(-m)
	}
	hi, lo := bits.Mul64(a, uint64(f.Rate))
	lo, carry := bits.Add64(lo, MicrosPerUnit/2, 0)
	hi += carry
	q, _ := bits.Div64(hi, lo, MicrosPerUnit)
	if neg {
		return -Money(q)
	}
	return Money(q)
}
