package pricing

import "strings"

// AuthIntl holds the settings of the authentication-international rule
// (AI-01..05). The default is not eligible (AI-05).
type AuthIntl struct {
	// BusinessCountry is the ISO 3166 alpha-2 code of the business's
	// primary business location ("" if unverified: AI-03, the rate then
	// applies to every recipient country after the start date).
	BusinessCountry string
	// Eligible: the business has been made subject to the rate (AI-02).
	Eligible bool
	// Start is the business's start day (0: each market's own start).
	Start Day
}

// authIntlStart is when each market got an authentication-international
// rate (CBP2-15, AI-04): Indonesia 2024-06-01, India 2024-07-01, seven
// markets 2025-02-01, nine more 2026-10-01.
var authIntlStart = map[string]Day{
	"ID": MustDay(2024, 6, 1), "IN": MustDay(2024, 7, 1),
	"EG": MustDay(2025, 2, 1), "MY": MustDay(2025, 2, 1), "NG": MustDay(2025, 2, 1), "PK": MustDay(2025, 2, 1),
	"SA": MustDay(2025, 2, 1), "ZA": MustDay(2025, 2, 1), "AE": MustDay(2025, 2, 1),
	"BD": MustDay(2026, 10, 1), "IQ": MustDay(2026, 10, 1), "KZ": MustDay(2026, 10, 1), "KW": MustDay(2026, 10, 1),
	"MA": MustDay(2026, 10, 1), "NP": MustDay(2026, 10, 1), "OM": MustDay(2026, 10, 1), "LK": MustDay(2026, 10, 1),
	"UA": MustDay(2026, 10, 1),
}

// Applies reports whether an authentication template delivered on day d
// to a recipient in mk is billed at the authentication-international rate
// (AI-01): the business is eligible, the recipient's country has the rate
// by then, is not the business's own country, and d is on or after the
// business's start.
func (a AuthIntl) Applies(mk Market, d Day) bool {
	if !a.Eligible {
		return false
	}
	from, ok := authIntlStart[mk.ISO2]
	if !ok || d < from || (a.Start != 0 && d < a.Start) {
		return false
	}
	return !strings.EqualFold(a.BusinessCountry, mk.ISO2)
}
