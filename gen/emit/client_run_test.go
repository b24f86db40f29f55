package emit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/parsec-gen/parsec-gen/gen"
)

// typedSchemas has an aspect whose root is a union (values travel in a
// parsec.Union holder) next to one whose root is a struct.
var typedSchemas = fstest.MapFS{
	"payment_method_chosen.json": {Data: []byte(`{
  "title": "PaymentMethodChosen",
  "oneOf": [
    {"title": "Card", "type": "object", "required": ["type", "last4"], "additionalProperties": false,
     "properties": {"type": {"const": "card"}, "last4": {"type": "string", "pattern": "^[0-9]{4}$"}}},
    {"title": "Cash", "type": "object", "required": ["type"], "additionalProperties": false,
     "properties": {"type": {"const": "cash"}}}
  ]
}`)},
	"order_noted.json": {Data: []byte(`{"title": "OrderNoted", "type": "object", "required": ["note"],
  "properties": {"note": {"type": "string", "minLength": 1}}}`)},
}

// typedProgram drives the generated client over the memory transport and
// prints what it observes, one fact per line.
const typedProgram = `package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/consumer/events"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

type handler struct{ got chan string }

func (h handler) HandleOrderNoted(_ context.Context, env *envelope.Envelope, m *events.OrderNoted) error {
	h.got <- fmt.Sprintf("handler order_noted #%d %q", env.Sequence, m.Note)
	return nil
}

func (h handler) HandlePaymentMethodChosen(_ context.Context, env *envelope.Envelope, m events.PaymentMethodChosen) error {
	h.got <- fmt.Sprintf("handler payment_method_chosen #%d %T", env.Sequence, m)
	return nil
}

var _ events.Handler = handler{}

func main() {
	ctx := context.Background()
	broker := client.NewMemoryTransport()
	errs := make(chan error, 8)
	rc, err := client.New(client.WithTransport(broker), client.WithProducer(envelope.Producer{ID: "p", Kind: envelope.ProducerService}),
		client.WithErrorHandler(func(err error) { errs <- err }))
	if err != nil {
		panic(err)
	}
	if err := rc.Connect(ctx, ""); err != nil {
		panic(err)
	}
	defer rc.Close()
	c := events.NewClient(rc)
	got := make(chan string, 8)
	typed, err := c.Subscribe(ctx, "ch")
	if err != nil {
		panic(err)
	}
	typed.OnPaymentMethodChosen(func(_ context.Context, env *envelope.Envelope, m events.PaymentMethodChosen) error {
		card, ok := m.(events.PaymentMethodChosenCard)
		got <- fmt.Sprintf("OnPaymentMethodChosen #%d card=%v last4=%s ref=%s", env.Sequence, ok, card.Last4, env.SchemaRef)
		return nil
	})
	if err := typed.Start(); err != nil {
		panic(err)
	}
	iface, err := c.Subscribe(ctx, "ch")
	if err != nil {
		panic(err)
	}
	iface.Handle(handler{got})
	if err := iface.Start(); err != nil {
		panic(err)
	}
	wait := func(ch <-chan string) string {
		select {
		case s := <-ch:
			return s
		case <-time.After(10 * time.Second):
			return "timeout"
		}
	}
	if _, err := c.PublishPaymentMethodChosen(ctx, "ch", events.PaymentMethodChosenCard{Last4: "12"}); err != nil {
		fmt.Println("refused:", err)
	}
	if _, err := c.PublishPaymentMethodChosen(ctx, "ch", nil); err != nil {
		fmt.Println("refused nil:", err)
	}
	if _, err := c.PublishPaymentMethodChosen(ctx, "ch", events.PaymentMethodChosenCard{Last4: "4242"}); err != nil {
		panic(err)
	}
	fmt.Println(wait(got))
	fmt.Println(wait(got))
	if _, err := c.PublishOrderNoted(ctx, "ch", &events.OrderNoted{Note: "gift"}); err != nil {
		panic(err)
	}
	fmt.Println(wait(got))
	// A payload that is no variant reaches the error hooks of both
	// subscriptions, never a handler.
	if _, err := rc.PublishAspect(ctx, "ch", events.AspectPaymentMethodChosen, map[string]string{"type": "cheque"}); err != nil {
		panic(err)
	}
	for range 2 {
		select {
		case err := <-errs:
			var pe *client.PayloadError
			fmt.Println("reported:", errors.As(err, &pe), pe.Type)
		case <-time.After(10 * time.Second):
			fmt.Println("timeout")
		}
	}
	select {
	case s := <-got:
		fmt.Println("unexpected:", s)
	default:
	}
}
`

// TestTypedClientRuns generates a package with a union-rooted and a
// struct-rooted aspect, and runs a program against its typed client: the
// union travels as its interface type, invalid values are refused before
// sending, an undecodable payload is reported, never handled.
func TestTypedClientRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module with the go command")
	}
	files, err := gen.Generate(gen.Config{FS: typedSchemas, Schemas: []string{"order_noted.json", "payment_method_chosen.json"}, Package: "events"})
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(gomod), "module github.com/parsec-gen/parsec-gen", "module example.com/consumer", 1)
	text += "\nrequire github.com/parsec-gen/parsec-gen v0.0.0\nreplace github.com/parsec-gen/parsec-gen => " + root + "\n"
	writeTyped(t, filepath.Join(mod, "go.mod"), text)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeTyped(t, filepath.Join(mod, "go.sum"), string(sum))
	var sawClient bool
	for _, f := range files {
		writeTyped(t, filepath.Join(mod, "events", f.Name), string(f.Content))
		sawClient = sawClient || f.Name == "parsec_client.parsec.go"
	}
	if !sawClient {
		t.Fatal("no parsec_client.parsec.go generated")
	}
	writeTyped(t, filepath.Join(mod, "main.go"), typedProgram)
	for _, args := range [][]string{{"vet", "./..."}, {"run", "."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		if args[0] != "run" {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		want := []string{
			`refused: parsec: publish payment_method_chosen: /last4: "12" does not match pattern "^[0-9]{4}$"`,
			`refused nil: parsec: publish payment_method_chosen: nil message`,
			`OnPaymentMethodChosen #1 card=true last4=4242 ref=payment_method_chosen.json`,
			`handler payment_method_chosen #1 events.PaymentMethodChosenCard`,
			`handler order_noted #2 "gift"`,
			`reported: true events.PaymentMethodChosen`,
			`reported: true events.PaymentMethodChosen`,
		}
		if len(lines) != len(want) {
			t.Fatalf("output:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
		}
		// The two subscriptions run concurrently: the first delivery of
		// the union may reach either handler first.
		if lines[2] > lines[3] {
			lines[2], lines[3] = lines[3], lines[2]
		}
		if want[2] > want[3] {
			want[2], want[3] = want[3], want[2]
		}
		for i := range want {
			if lines[i] != want[i] {
				t.Errorf("line %d:\n got %s\nwant %s", i+1, lines[i], want[i])
			}
		}
	}
}

func writeTyped(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
