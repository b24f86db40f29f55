package envelope_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

func Example() {
	e := &envelope.Envelope{
		Channel:    "orders:eu",
		Sequence:   42,
		ProducedAt: time.Date(2026, 5, 27, 14, 22, 9, 331_000_000, time.UTC),
		Producer:   envelope.Producer{ID: "billing-1", Kind: envelope.ProducerService},
		Aspect:     "order_placed",
		Payload:    json.RawMessage(`{"order_id":"o-1"}`),
	}
	data, err := envelope.Encode(e)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(data))

	back, err := envelope.Decode(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Aspect, back.Sequence, back.ProducedAt.Format(time.RFC3339Nano))

	_, err = envelope.Decode([]byte(`{"channel":"orders:eu","sequence":"42"}`))
	fmt.Println(err, errors.Is(err, envelope.ErrMalformed))
	// Output:
	// {"channel":"orders:eu","sequence":42,"produced_at":"2026-05-27T14:22:09.331Z","producer":{"id":"billing-1","kind":"service"},"aspect":"order_placed","payload":{"order_id":"o-1"}}
	// order_placed 42 2026-05-27T14:22:09.331Z
	// envelope: field "sequence": expected integer, got string true
}

func ExampleSequenceTracker() {
	seq := envelope.NewSequenceTracker()
	fmt.Println(seq.Next("orders:eu"), seq.Next("orders:eu"), seq.Next("carts:eu"))

	// A publish that fails before reaching the wire hands its number back.
	r := seq.Reserve("orders:eu")
	fmt.Println("reserved", r.Seq())
	r.Abort()
	r = seq.Reserve("orders:eu")
	fmt.Println("reserved", r.Seq())
	r.Commit()

	// Persist and restore across restarts.
	saved := seq.Snapshot()
	restarted := envelope.NewSequenceTracker()
	restarted.Restore(saved)
	fmt.Println(restarted.Next("orders:eu"))
	// Output:
	// 1 2 1
	// reserved 3
	// reserved 3
	// 4
}

func ExampleGapDetector() {
	g := envelope.NewGapDetector(envelope.GapOptions{})
	for _, seq := range []int64{1, 2, 5, 3, 3, 6, 1} {
		o := g.Observe("orders:eu", "billing-1", seq)
		fmt.Printf("%d: %s gap=%d deliver=%v\n", seq, o.Kind, o.Gap, o.Deliver())
	}
	fmt.Println(g.Positions("orders:eu"))
	// Output:
	// 1: first gap=0 deliver=true
	// 2: in_order gap=0 deliver=true
	// 5: gap gap=2 deliver=true
	// 3: late gap=0 deliver=true
	// 3: duplicate gap=0 deliver=false
	// 6: in_order gap=0 deliver=true
	// 1: restart gap=0 deliver=true
	// map[billing-1:1]
}
