package render

import (
	"strings"
	"testing"
)

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

// A table on a terminal has a rule under its header; in a pipe or a file
// it is plain aligned columns.
func TestTableStyle(t *testing.T) {
	if Styled("table", true) != "table" || Styled("table", false) != "plain" || Styled("json", false) != "json" || Styled("markdown", false) != "markdown" {
		t.Fatal("Styled")
	}
	for style, rule := range map[string]bool{"table": true, "plain": false} {
		var b strings.Builder
		if err := WriteTable(&b, style, []string{"a", "bb"}, nil, [][]string{{"1", "2"}}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(b.String(), "──"); got != rule {
			t.Errorf("%s: rule %v, want %v:\n%s", style, got, rule, b.String())
		}
	}
}
