package render

import "testing"

// Pseudonyms are stable: by appearance without a key, by HMAC with one.
func TestMasker(t *testing.T) {
	m := NewMasker("")
	if a, b, c := m.Mask("5511987654321"), m.Mask("919876543210"), m.Mask("5511987654321"); a != "c1" || b != "c2" || c != "c1" {
		t.Errorf("by appearance: %s %s %s", a, b, c)
	}
	k1, k2 := NewMasker("secret"), NewMasker("secret")
	k2.Mask("919876543210") // another order of appearance: the same pseudonyms
	if a, b := k1.Mask("5511987654321"), k2.Mask("5511987654321"); a != b || len(a) != 13 || a == "5511987654321" {
		t.Errorf("keyed: %s %s", a, b)
	}
	if a, b := NewMasker("secret").Mask("5511987654321"), NewMasker("other").Mask("5511987654321"); a == b {
		t.Error("another key gives the same pseudonym")
	}
	if m.Mask("") != "" {
		t.Error("an empty customer stays empty")
	}
}
