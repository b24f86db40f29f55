package sse

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// sink keeps the benchmarks' results alive.
var sink int

// benchStream is a Centrifugo-like stream: pings between publications of
// envelope-sized data.
func benchStream(n int) []byte {
	var b bytes.Buffer
	b.WriteString("\r\n")
	for i := range n {
		if i%50 == 0 {
			b.WriteString("data: {}\n\n")
		}
		fmt.Fprintf(&b, `data: {"channel":"orders:eu","pub":{"data":{"channel":"orders:eu","sequence":%d,"produced_at":"2026-05-27T14:22:09.331Z","producer":{"id":"billing-1","kind":"service"},"aspect":"order_placed","payload":{"order_id":"o-%d","total":"12.50"}},"offset":%d}}`+"\n\n", i, i, i)
	}
	return b.Bytes()
}

// BenchmarkFrameReader splits a stream into event data with the transport's
// frame reader (JSON decoding, the same for both, is left out).
func BenchmarkFrameReader(b *testing.B) {
	stream := benchStream(1000)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		f := newFrameReader(bytes.NewReader(stream), DefaultMaxFrameSize)
		for {
			data, err := f.next()
			if err != nil {
				break
			}
			sink += len(data)
		}
	}
}

// BenchmarkScannerBaseline is the obvious alternative: bufio.Scanner over
// lines. It does less: it stops for good at the first oversized line, where
// the frame reader skips the event and goes on.
func BenchmarkScannerBaseline(b *testing.B) {
	stream := benchStream(1000)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		sc := bufio.NewScanner(bytes.NewReader(stream))
		sc.Buffer(make([]byte, 32<<10), DefaultMaxFrameSize)
		var data []byte
		for sc.Scan() {
			line := strings.TrimSuffix(sc.Text(), "\r")
			if line == "" {
				if data != nil {
					sink += len(data)
					data = nil
				}
				continue
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				data = append(data, v...)
			}
		}
	}
}
