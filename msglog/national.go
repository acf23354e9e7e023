package msglog

import (
	"strconv"
	"strings"
)

// dialing is how a country writes its phone numbers: its calling code,
// the trunk prefix its own numbers take before the area or mobile code
// when dialled at home ("" for none), and the lengths of its national
// significant numbers (the digits after the calling code).
type dialing struct {
	country, code, trunk string
	min, max             int
	// first, if not "", lists the digits a national number may start with
	// (NANP area codes never start with 0 or 1).
	first string
}

// dialings covers the markets with the most WhatsApp traffic (from ITU-T
// E.164 national numbering plans as operators publish them). Lengths are
// generous: a number is refused only where no number of the country can
// have its length.
var dialings = []dialing{
	{"US", "1", "1", 10, 10, "23456789"},
	{"CA", "1", "1", 10, 10, "23456789"},
	{"BR", "55", "0", 10, 11, ""},
	{"IN", "91", "0", 10, 10, "123456789"},
	{"ID", "62", "0", 8, 12, ""},
	{"MX", "52", "", 10, 11, ""},
	{"GB", "44", "0", 9, 10, ""},
	{"DE", "49", "0", 6, 13, ""},
	{"FR", "33", "0", 9, 9, ""},
	{"IT", "39", "", 6, 11, ""},
	{"ES", "34", "", 9, 9, ""},
	{"AR", "54", "0", 10, 11, ""},
	{"CO", "57", "", 8, 10, ""},
	{"NG", "234", "0", 8, 10, ""},
	{"EG", "20", "0", 8, 10, ""},
	{"TR", "90", "0", 10, 10, ""},
	{"SA", "966", "0", 8, 9, ""},
	{"AE", "971", "0", 8, 9, ""},
	{"PK", "92", "0", 9, 10, ""},
	{"RU", "7", "8", 10, 10, ""},
	{"MY", "60", "0", 8, 10, ""},
	{"ZA", "27", "0", 9, 9, ""},
	{"IL", "972", "0", 8, 9, ""},
	{"PE", "51", "0", 8, 9, ""},
	{"CL", "56", "", 9, 9, ""},
	{"NL", "31", "0", 9, 9, ""},
	{"KE", "254", "0", 9, 9, ""},
	{"PH", "63", "0", 8, 10, ""},
	{"BD", "880", "0", 8, 10, ""},
	{"VN", "84", "0", 9, 10, ""},
	{"TH", "66", "0", 8, 9, ""},
	{"SG", "65", "", 8, 8, ""},
	{"HK", "852", "", 8, 8, ""},
	{"AU", "61", "0", 9, 9, ""},
	{"PL", "48", "", 9, 9, ""},
	{"UA", "380", "0", 9, 9, ""},
	{"IR", "98", "0", 10, 10, ""},
}

// dialingOf is the dialing of a country (ISO 3166 alpha-2, any case).
func dialingOf(country string) (*dialing, bool) {
	for i := range dialings {
		if strings.EqualFold(dialings[i].country, country) {
			return &dialings[i], true
		}
	}
	return nil, false
}

// DialingCountries lists the countries --default-country knows.
func DialingCountries() []string {
	var cs []string
	for _, d := range dialings {
		cs = append(cs, d.country)
	}
	return cs
}

// byPrefix holds, for each three-digit start of a number, the dialing of
// the longest calling code it starts with (nil for none). Calling codes
// are prefix-free, so one start has at most one.
var byPrefix = func() (t [1000]*dialing) {
	for i := range dialings {
		d := &dialings[i]
		if d.country == "CA" {
			continue // +1 is one plan: US stands for it
		}
		n, _ := strconv.Atoi(d.code)
		width := len(d.code)
		for k := 0; k < 1000; k++ {
			if k/prefixDiv[width] == n && (t[k] == nil || len(t[k].code) < width) {
				t[k] = d
			}
		}
	}
	return t
}()

// prefixDiv[w] divides a three-digit start down to its first w digits.
var prefixDiv = [4]int{1000, 100, 10, 1}

// fits reports whether nsn (digits, the number after d's calling code)
// can be one of d's numbers.
func (d *dialing) fits(nsn string) bool { return fits(d, nsn) }

// fits is dialing.fits for digits as bytes too, with no copy.
func fits[T string | []byte](d *dialing, nsn T) bool {
	return len(nsn) >= d.min && len(nsn) <= d.max && (d.first == "" || strings.IndexByte(d.first, nsn[0]) >= 0)
}

// international reports whether digits, a number written without + or
// 00, reads as a number with its calling code: not a trunk 0 first, and
// as long as the numbers of the calling code it starts with (a code not
// in dialings is taken on trust). why says what makes it look national.
func international[T string | []byte](digits T) (ok bool, why string) {
	if len(digits) < 3 {
		return false, "too short"
	}
	if digits[0] == '0' {
		return false, "it starts with 0, a trunk prefix"
	}
	k := int(digits[0]-'0')*100 + int(digits[1]-'0')*10 + int(digits[2]-'0')
	d := byPrefix[k]
	if d == nil || fits(d, digits[len(d.code):]) {
		return true, ""
	}
	return false, "no +" + d.code + " number is written so"
}

// withCountry reads digits (written without + or 00) as country d would:
// a number that already starts with d's calling code and fits it, as it
// is; one that starts with d's trunk prefix, or fits d's numbers as they
// are, as d's national number; else as written (a foreign number with its
// calling code), if that reads as international.
func (d *dialing) withCountry(digits string) (string, bool) {
	if strings.HasPrefix(digits, d.code) && d.fits(digits[len(d.code):]) {
		return digits, true
	}
	if d.trunk != "" && strings.HasPrefix(digits, d.trunk) && d.fits(digits[len(d.trunk):]) {
		return d.code + digits[len(d.trunk):], true
	}
	if d.fits(digits) {
		return d.code + digits, true
	}
	if ok, _ := international(digits); ok {
		return digits, true
	}
	return "", false
}

// nationalError is the row error of a number that looks national.
func nationalError(v, why string) string {
	return strconv.Quote(v) + " looks like a national number (" + why + "): give its country with --default-country, or write it with +"
}
