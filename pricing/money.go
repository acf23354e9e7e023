package pricing

import (
	"errors"
	"strconv"
	"strings"
)

// Money is an exact amount in millionths (micro-units) of a currency unit:
// 0.0014 USD is Money(1400). Rates in Meta's cards have at most 4 decimals,
// so per-message costs are exact; totals are sums of per-message costs.
type Money int64

// MicrosPerUnit is the number of Money units in one currency unit.
const MicrosPerUnit = 1_000_000

// ParseMoney parses a plain decimal ("0.0014", "12", "-1.5") exactly. More
// than six decimals, exponents and thousands separators are errors.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty amount")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return 0, errors.New("not a decimal number")
	}
	if len(frac) > 6 {
		return 0, errors.New("more than 6 decimal places")
	}
	var v int64
	for _, part := range []string{intPart, frac + strings.Repeat("0", 6-len(frac))} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return 0, errors.New("not a decimal number")
			}
			if v > (1<<63-1-9)/10 {
				return 0, errors.New("amount too large")
			}
			v = v*10 + int64(c-'0')
		}
	}
	if neg {
		v = -v
	}
	return Money(v), nil
}

// String renders the amount as a plain decimal with at least two and at most
// six decimals, dropping trailing zeros beyond the second: 1.5 -> "1.50",
// 0.0014 -> "0.0014". It never rounds.
func (m Money) String() string { return string(m.Append(make([]byte, 0, 24))) }

// Append appends the amount as String writes it.
func (m Money) Append(b []byte) []byte {
	v := int64(m)
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = uint64(-v) // also right for the smallest int64
	}
	b = strconv.AppendUint(b, u/MicrosPerUnit, 10)
	b = append(b, '.')
	fp := u % MicrosPerUnit
	var frac [6]byte
	for i := 5; i >= 0; i-- {
		frac[i] = byte('0' + fp%10)
		fp /= 10
	}
	n := 6
	for n > 2 && frac[n-1] == '0' {
		n--
	}
	return append(b, frac[:n]...)
}

// Round returns the amount rounded half away from zero to the given number
// of decimals (0..6), as a string with exactly that many decimals. It is for
// display only; totals are always computed on exact values.
func (m Money) Round(decimals int) string {
	if decimals < 0 || decimals > 6 {
		decimals = 6
	}
	step := int64(1)
	for i := 0; i < 6-decimals; i++ {
		step *= 10
	}
	v := int64(m)
	neg := v < 0
	if neg {
		v = -v
	}
	v = (v + step/2) / step * step
	s := strconv.FormatInt(v/MicrosPerUnit, 10)
	if decimals > 0 {
		frac := strconv.FormatInt(v%MicrosPerUnit+MicrosPerUnit, 10)[1 : 1+decimals]
		s += "." + frac
	}
	if neg && v != 0 {
		s = "-" + s
	}
	return s
}

// MarshalJSON renders the amount as a decimal string with six decimals,
// every amount alike ("0.001400", "5.430000"), exact to the millionth,
// so that no JSON reader turns it into a float.
func (m Money) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 26), '"')
	return append(m.AppendFixed(b), '"'), nil
}

// Fixed is the amount with six decimals ("0.001400"), as JSON has it.
func (m Money) Fixed() string { return string(m.AppendFixed(make([]byte, 0, 24))) }

// AppendFixed appends the amount with six decimals.
func (m Money) AppendFixed(b []byte) []byte {
	v := int64(m)
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = uint64(-v)
	}
	b = strconv.AppendUint(b, u/MicrosPerUnit, 10)
	fp := u % MicrosPerUnit
	var frac [7]byte
	frac[0] = '.'
	for i := 6; i >= 1; i-- {
		frac[i] = byte('0' + fp%10)
		fp /= 10
	}
	return append(b, frac[:]...)
}

// UnmarshalJSON reads a decimal string, as MarshalJSON writes it: a JSON
// number is refused (a float would not keep the exact amount).
func (m *Money) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return errors.New("money " + string(b) + `: want a decimal string such as "0.0118", not a JSON number`)
	}
	v, err := ParseMoney(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
