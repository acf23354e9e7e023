package msglog

import (
	"strings"
	"testing"
)

// Strings from an arena are copies that stay as they were, however the
// bytes they came from change; a Block size is the size of each block,
// and a string past an eighth of it gets its own memory.
func TestArenaBlocks(t *testing.T) {
	for _, size := range []int{0, 256} {
		a := Arena{Block: size}
		want := size
		if want == 0 {
			want = arenaBlock
		}
		var got []string
		b := []byte("+5511999990000")
		for i := range 100 {
			b[len(b)-1] = byte('0' + i%10)
			got = append(got, a.Str(b))
		}
		for i, s := range got {
			if s != "+551199999000"+string(rune('0'+i%10)) {
				t.Fatalf("block %d: string %d is %q", size, i, s)
			}
		}
		if cap(a.block) != want {
			t.Errorf("block %d: blocks of %d bytes", size, cap(a.block))
		}
		long := strings.Repeat("x", want/8+1)
		n := len(a.block)
		if s := a.Str([]byte(long)); s != long || len(a.block) != n {
			t.Errorf("block %d: a long string went into a block", size)
		}
	}
}
