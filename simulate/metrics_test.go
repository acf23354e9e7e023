package simulate

import (
	"math/big"
	"testing"

	"github.com/wacost/wacost/gate"
	"github.com/wacost/wacost/pricing"
)

// gate keeps money in millionths, as pricing does.
func TestMoneyValueUnit(t *testing.T) {
	if v := gate.MoneyOf(pricing.MicrosPerUnit); v.V.Cmp(big.NewRat(1, 1)) != 0 || v.Kind != gate.Money {
		t.Fatalf("one currency unit is %v", v.V)
	}
}
