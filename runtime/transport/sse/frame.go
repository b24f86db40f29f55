package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// FrameTooLargeError reports an SSE event whose data exceeded the configured
// maximum. The event was skipped; the stream goes on with the next event.
type FrameTooLargeError struct {
	// Limit is the configured maximum data size in bytes.
	Limit int
	// Prefix holds the first bytes of the skipped data, for diagnostics.
	Prefix []byte
}

// Error implements error.
func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("sse: event data exceeds %d bytes and was skipped", e.Limit)
}

// errCutEvent reports a stream that ended cleanly in the middle of an event;
// the partial event was dropped.
var errCutEvent = errors.New("sse: stream ended inside an event, which was dropped")

// frameReader splits a text/event-stream into the data payloads of its
// events, following the WHATWG event-stream rules that matter for Centrifugo:
// lines end with "\n" or "\r\n", an empty line ends an event, "data" lines are
// joined with "\n", one space after the colon is dropped, comment lines
// (starting with ':') and other fields are ignored. An event is only returned
// once its terminating empty line has been read, so an event cut by the end of
// the stream is never returned.
type frameReader struct {
	r    *bufio.Reader
	max  int
	line []byte // current line when it spans several buffer fills
	data []byte // data of the current event
	has  bool   // the current event has at least one data line
	over bool   // the current event overflowed max
}

const prefixLen = 64

func newFrameReader(r io.Reader, max int) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 32<<10), max: max}
}

// next returns the data of the next complete event that carries data. A
// *FrameTooLargeError is returned for an oversized event, after the whole
// event was consumed; the reader is usable afterwards. Any other error ends
// the stream: io.EOF when it ended at an event boundary, errCutEvent when a
// partial event was dropped, or the reader's own error.
func (f *frameReader) next() ([]byte, error) {
	for {
		line, err := f.readLine()
		if err != nil {
			if err == io.EOF && (f.has || f.over || len(f.line) > 0) {
				return nil, errCutEvent
			}
			return nil, err
		}
		if line == nil { // the current line overflowed; its bytes are gone
			continue
		}
		if len(line) == 0 {
			if f.over {
				e := &FrameTooLargeError{Limit: f.max, Prefix: bytes.Clone(f.data)}
				f.reset()
				return nil, e
			}
			if !f.has {
				continue
			}
			out := f.data
			f.data = nil
			f.reset()
			return out, nil
		}
		f.field(line)
	}
}

func (f *frameReader) reset() {
	f.data = f.data[:0]
	f.has = false
	f.over = false
}

// field applies one non-empty line to the current event.
func (f *frameReader) field(line []byte) {
	if line[0] == ':' {
		return
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	if string(name) != "data" {
		return
	}
	if f.over {
		return
	}
	size := len(f.data) + len(value)
	if f.has {
		size++
	}
	if size > f.max {
		if f.has {
			f.data = append(f.data, '\n')
		}
		f.data = append(f.data, value[:min(len(value), prefixLen)]...)
		f.overflow()
		return
	}
	if f.has {
		f.data = append(f.data, '\n')
	}
	f.data = append(f.data, value...)
	f.has = true
}

// overflow marks the current event as oversized and keeps a short prefix of
// its data for the error report.
func (f *frameReader) overflow() {
	f.over = true
	if len(f.data) > prefixLen {
		f.data = f.data[:prefixLen]
	}
}

// readLine returns the next line without its terminator. It returns a nil
// slice (and no error) for a line longer than the data limit, whose bytes
// were discarded after marking the current event oversized. The returned
// slice is only valid until the next call.
func (f *frameReader) readLine() ([]byte, error) {
	// A line may hold "data: " plus up to max bytes of data, plus "\r\n".
	limit := f.max + len("data: ") + 2
	f.line = f.line[:0]
	discarding := false
	for {
		chunk, err := f.r.ReadSlice('\n')
		switch {
		case err == nil:
			if discarding {
				return nil, nil
			}
			if len(f.line) > 0 {
				f.line = append(f.line, chunk...)
				chunk = f.line
			}
			chunk = chunk[:len(chunk)-1]
			if n := len(chunk); n > 0 && chunk[n-1] == '\r' {
				chunk = chunk[:n-1]
			}
			return chunk, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if discarding {
				continue
			}
			if len(f.line)+len(chunk) > limit {
				if len(f.line) == 0 {
					f.line = append(f.line, chunk[:min(len(chunk), prefixLen+len("data: "))]...)
				}
				f.markLineOverflow()
				discarding = true
				continue
			}
			f.line = append(f.line, chunk...)
		default:
			if !discarding {
				f.line = append(f.line, chunk...)
			}
			if discarding {
				f.line = f.line[:0]
				f.over = true
			}
			return nil, err
		}
	}
}

// markLineOverflow marks the current event oversized because of a line too
// long to buffer, keeping a short prefix of its data when it is a data line.
// An overlong line of another field is dropped too, and the event is still
// marked so that the caller learns about the garbage.
func (f *frameReader) markLineOverflow() {
	if !f.over {
		if v, ok := bytes.CutPrefix(f.line, []byte("data:")); ok {
			v, _ = bytes.CutPrefix(v, []byte(" "))
			if f.has {
				f.data = append(f.data, '\n')
			}
			f.data = append(f.data, v...)
		}
		f.overflow()
	}
	f.line = f.line[:0]
}
