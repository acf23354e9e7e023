package sla

import "github.com/wacost/wacost/pricing"

func pricingMoney(micros int64) pricing.Money { return pricing.Money(micros) }
