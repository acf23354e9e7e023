package msglog

import (
	"bufio"
	"fmt"
	"strings"
)

// inputFormat is one input format: what names it, what shows it in a
// file's content, and how it is read. Each format's file registers one
// (register, from its init); NewReader picks among them. Adding a format
// is a file with a Reader and its registration.
type inputFormat struct {
	name Format
	// aliases are other names of the format (--input-format).
	aliases []string
	// exts are file extensions that name the format.
	exts []string
	// first reports whether a file whose first non-blank byte is b is in
	// this format (nil: the format is never told by its content).
	first func(b byte) bool
	// sniff, if set, reports whether a file whose first bytes are head is
	// in this format, whatever its extension says: a source's export in a
	// shape of its own (a Twilio CSV is a .csv).
	sniff func(head []byte) bool
	// fallback: the format of a file no other format claims.
	fallback bool
	// sniffed: a file named as this format by its extension is still
	// told by its content, among the formats of the same family.
	sniffed bool
	// parts: the format can be read in parts (Options.Part).
	parts bool
	open  func(br *bufio.Reader, o Options) (Reader, error)
}

// formats are the registered formats, in registration order.
var formats []*inputFormat

func register(f *inputFormat) { formats = append(formats, f) }

// formatNamed is the registered format of a name or alias (lower case).
func formatNamed(name string) *inputFormat {
	for _, f := range formats {
		if string(f.name) == name {
			return f
		}
		for _, a := range f.aliases {
			if a == name {
				return f
			}
		}
	}
	return nil
}

// formatNames lists the registered formats' names, for messages.
func formatNames() string {
	var names []string
	for _, f := range formats {
		names = append(names, string(f.name))
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ParseFormat parses a --input-format value: auto or a format's name.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(s)
	if name == "" || name == "auto" {
		return FormatAuto, nil
	}
	if f := formatNamed(name); f != nil {
		return f.name, nil
	}
	return "", fmt.Errorf("unknown input format %q (want %s)", s, formatNames())
}

// detect picks the format of a file: given (o.Format), else by its
// extension, else by its first non-blank byte. A format named by its
// extension that is sniffed is checked against the content too.
func detect(br *bufio.Reader, o Options, ext string) (*inputFormat, error) {
	named := formatNamed(string(o.Format))
	if named == nil {
		head, _ := br.Peek(4096) // what is there: a short file is all of it
		for _, f := range formats {
			if f.sniff != nil && f.sniff(head) {
				return f, nil
			}
		}
	}
	if named == nil {
		for _, f := range formats {
			for _, e := range f.exts {
				if e == ext {
					named = f
				}
			}
		}
	}
	if named != nil && !named.sniffed {
		return named, nil
	}
	first, err := firstByte(br)
	if err != nil {
		return nil, err
	}
	for _, f := range formats {
		if f.first != nil && first != 0 && f.first(first) {
			return f, nil
		}
	}
	if named != nil {
		if first == 0 {
			return nil, fmt.Errorf("%s: empty input: want %s", o.Name, named.describe())
		}
		return nil, fmt.Errorf("%s: not %s: want %s", o.Name, strings.ToUpper(string(named.name)), named.describe())
	}
	for _, f := range formats {
		if f.fallback {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%s: no input format reads it", o.Name)
}

func (f *inputFormat) describe() string {
	if f.name == FormatJSON {
		return "a JSON array of objects, or one object a line"
	}
	return string(f.name)
}
