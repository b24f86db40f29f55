package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks the source scanner against encoding/json: it accepts
// exactly the documents encoding/json accepts (save duplicate keys, which it
// rejects on purpose), decodes them to the same values, and never panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2.5e3,-0,"x\u00e9",true,false,null]}`, `{"a":1,"a":2}`,
		"{\n\"k\": {\"x/y~z\": \"\\ud83d\\ude00\"}}", `"\ud800"`, `1e`, `[1,]`, `{"a" 1}`, "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, ix, err := Parse(data)
		valid := json.Valid(data)
		var se *SyntaxError
		switch {
		case err != nil && !errors.As(err, &se):
			t.Fatalf("error of type %T: %v", err, err)
		case err != nil && valid:
			if strings.HasPrefix(se.Msg, "duplicate") || strings.HasPrefix(se.Msg, "nesting") {
				return
			}
			t.Fatalf("rejects valid JSON %q: %v", data, err)
		case err == nil && !valid:
			t.Fatalf("accepts invalid JSON %q", data)
		case err == nil:
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			var want any
			if err := dec.Decode(&want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if !jsonEqual(v, want) {
				t.Fatalf("decoded %#v, encoding/json decoded %#v", v, want)
			}
			if _, ok := ix.Pos(""); !ok {
				t.Fatal("no position for the root")
			}
		}
	})
}

func jsonEqual(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}
