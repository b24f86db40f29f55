package sse

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readAll drains a frameReader, recording data events as strings and
// oversized events as "!big:<prefix>", and returns the final error.
func readAll(r io.Reader, max int) ([]string, error) {
	f := newFrameReader(r, max)
	var got []string
	for {
		data, err := f.next()
		var big *FrameTooLargeError
		switch {
		case errors.As(err, &big):
			got = append(got, "!big:"+string(big.Prefix))
			continue
		case err != nil:
			return got, err
		}
		got = append(got, string(data))
	}
}

func TestFrameReader(t *testing.T) {
	long := strings.Repeat("x", 100)
	huge := strings.Repeat("y", 100<<10) // longer than the bufio buffer
	tests := []struct {
		name    string
		in      string
		max     int
		want    []string
		wantErr error
	}{
		{name: "centrifugo preamble and frames", in: "\r\ndata: {\"a\":1}\n\ndata: {}\n\n", want: []string{`{"a":1}`, `{}`}, wantErr: io.EOF},
		{name: "crlf lines", in: "data: a\r\n\r\ndata: b\r\n\r\n", want: []string{"a", "b"}, wantErr: io.EOF},
		{name: "multi-line data joined with newline", in: "data: a\ndata: b\n\n", want: []string{"a\nb"}, wantErr: io.EOF},
		{name: "no space after colon", in: "data:a\n\n", want: []string{"a"}, wantErr: io.EOF},
		{name: "only one leading space dropped", in: "data:  a\n\n", want: []string{" a"}, wantErr: io.EOF},
		{name: "comments and other fields ignored", in: ": hi\nevent: x\nid: 3\nretry: 10\ndata: a\n\n", want: []string{"a"}, wantErr: io.EOF},
		{name: "event without data is not delivered", in: "event: x\n\n: keepalive\n\ndata: a\n\n", want: []string{"a"}, wantErr: io.EOF},
		{name: "data field without colon is empty data", in: "data\n\n", want: []string{""}, wantErr: io.EOF},
		{name: "frame cut mid-line is dropped", in: "data: a\n\ndata: {\"b\":", want: []string{"a"}, wantErr: errCutEvent},
		{name: "frame cut before blank line is dropped", in: "data: a\n\ndata: b\n", want: []string{"a"}, wantErr: errCutEvent},
		{name: "oversized event skipped, next delivered", in: "data: " + long + "\n\ndata: ok\n\n", max: 50, want: []string{"!big:" + long[:prefixLen], "ok"}, wantErr: io.EOF},
		{name: "oversized across data lines", in: "data: " + long[:40] + "\ndata: " + long[:40] + "\n\ndata: ok\n\n", max: 50, want: []string{"!big:" + (long[:40] + "\n" + long[:40])[:prefixLen], "ok"}, wantErr: io.EOF},
		{name: "line longer than the read buffer", in: "data: " + huge + "\n\ndata: ok\n\n", max: 1 << 10, want: []string{"!big:" + huge[:prefixLen], "ok"}, wantErr: io.EOF},
		{name: "long line within the limit", in: "data: " + huge + "\n\n", max: 1 << 20, want: []string{huge}, wantErr: io.EOF},
		{name: "overlong other field marks the event", in: "id: " + huge + "\ndata: a\n\ndata: ok\n\n", max: 1 << 10, want: []string{"!big:", "ok"}, wantErr: io.EOF},
		{name: "cut oversized frame is not reported twice", in: "data: " + huge, max: 1 << 10, wantErr: errCutEvent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			max := tc.max
			if max == 0 {
				max = 1 << 20
			}
			got, err := readAll(strings.NewReader(tc.in), max)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("final error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// oneByteReader returns the input one byte per Read, the worst case for
// line reassembly.
type oneByteReader struct{ s string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	p[0] = r.s[0]
	r.s = r.s[1:]
	return 1, nil
}

func TestFrameReaderByteByByte(t *testing.T) {
	in := "\r\ndata: {\"connect\":{}}\r\n\r\ndata: a\ndata: b\n\n: c\n\ndata: tail"
	got, err := readAll(&oneByteReader{s: in}, 1<<10)
	if diff := cmp.Diff([]string{`{"connect":{}}`, "a\nb"}, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if !errors.Is(err, errCutEvent) {
		t.Errorf("final error = %v, want errCutEvent", err)
	}
}

func FuzzFrameReader(f *testing.F) {
	f.Add("data: a\n\n", 16)
	f.Add("data: "+strings.Repeat("z", 70)+"\r\n\r\n", 8)
	f.Add("data\n\n:x\ndata:y", 4)
	f.Fuzz(func(t *testing.T, in string, max int) {
		if max <= 0 || max > 1<<16 {
			return
		}
		got, err := readAll(strings.NewReader(in), max)
		if err == nil {
			t.Fatal("readAll ended without error")
		}
		for _, g := range got {
			if !strings.HasPrefix(g, "!big:") && len(g) > max {
				t.Fatalf("event of %d bytes exceeds max %d", len(g), max)
			}
		}
	})
}
