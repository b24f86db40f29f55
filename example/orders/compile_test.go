package orders_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parsec-gen/parsec-gen/gen"
)

// The compile tests build consumer code in a temporary module that uses the
// committed orders package (and a package generated from the same schemas
// plus one new aspect) through `replace` directives, and assert on what the
// Go compiler says. They run the go command offline against the module cache.

// consumerModule writes a module requiring the repository's modules and
// returns its directory.
func consumerModule(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds code with the go command")
	}
	example, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(example)
	dir := t.TempDir()
	gomod := "module consumer\n\ngo 1.26.0\n\nrequire (\n" +
		"\tgithub.com/parsec-gen/parsec-gen v0.0.0\n" +
		"\tgithub.com/parsec-gen/parsec-gen/example v0.0.0\n)\n\nreplace (\n" +
		"\tgithub.com/parsec-gen/parsec-gen => " + root + "\n" +
		"\tgithub.com/parsec-gen/parsec-gen/example => " + example + "\n" +
		"\tgithub.com/parsec-gen/parsec-gen/server => " + filepath.Join(root, "server") + "\n)\n"
	writeFile(t, filepath.Join(dir, "go.mod"), gomod)
	sum, err := os.ReadFile(filepath.Join(example, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.sum"), string(sum))
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// goCmd runs the go command in dir, offline, and returns its combined output.
// A command (or a program it runs) that takes longer than five minutes is
// killed: the test fails instead of hanging.
func goCmd(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.WaitDelay = 5 * time.Second
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// handlerMethods implements every method of orders.Handler but the ones
// named in skip, for a type called h.
func handlerMethods(pkg string, skip ...string) string {
	var b strings.Builder
	for _, m := range []string{"OrderPlaced", "OrderCancelled", "PaymentCaptured", "ShipmentDispatched", "InventoryAdjusted", "CustomerNotified"} {
		if contains(skip, m) {
			continue
		}
		b.WriteString("func (h) Handle" + m + "(context.Context, *envelope.Envelope, *" + pkg + "." + m + ") error { return nil }\n")
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const consumerImports = `import (
	"context"
	"fmt"

	"github.com/parsec-gen/parsec-gen/example/orders"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

var _ = fmt.Sprint
var _ client.Option
`

// TestConsumerCompiles: the compiler rejects a handler that misses an
// aspect, a publish of the wrong type and a typed handler of the wrong type,
// and accepts (and runs) the happy path.
func TestConsumerCompiles(t *testing.T) {
	dir := consumerModule(t)
	cases := []struct {
		name, body string
		want       []string // substrings of the compiler's output; none means it must build
	}{
		{
			name: "missing_method",
			body: "type h struct{}\n\n" + handlerMethods("orders", "InventoryAdjusted") +
				"func register(s *orders.Subscription) { s.Handle(h{}) }\n",
			want: []string{"cannot use h{} (value of struct type h) as orders.Handler value in argument to s.Handle: h does not implement orders.Handler (missing method HandleInventoryAdjusted)"},
		},
		{
			name: "wrong_publish_type",
			body: "func publish(ctx context.Context, c *orders.Client) error {\n" +
				"\t_, err := c.PublishOrderPlaced(ctx, \"orders\", &orders.OrderCancelled{})\n\treturn err\n}\n",
			want: []string{"cannot use &orders.OrderCancelled{} (value of type *orders.OrderCancelled) as *orders.OrderPlaced value in argument to c.PublishOrderPlaced"},
		},
		{
			name: "wrong_handler_type",
			body: "func register(s *orders.Subscription) {\n" +
				"\ts.OnOrderPlaced(func(ctx context.Context, env *envelope.Envelope, m *orders.OrderCancelled) error { return nil })\n}\n",
			want: []string{"cannot use func(ctx context.Context, env *envelope.Envelope, m *orders.OrderCancelled) error {…} (value of type func(ctx context.Context, env *envelope.Envelope, m *orders.OrderCancelled) error) as func(ctx context.Context, env *envelope.Envelope, msg *orders.OrderPlaced) error value in argument to s.OnOrderPlaced"},
		},
		{
			name: "aspect_not_on_pattern",
			body: "func publish(ctx context.Context, c *orders.Client) error {\n" +
				"\tt, err := c.Customers(orders.CustomersChannel())\n\tif err != nil {\n\t\treturn err\n\t}\n" +
				"\t_, err = t.PublishOrderPlaced(ctx, &orders.OrderPlaced{})\n\treturn err\n}\n",
			want: []string{"t.PublishOrderPlaced undefined (type orders.CustomersTopic has no field or method PublishOrderPlaced)"},
		},
		{
			name: "pattern_handler_missing_required",
			body: "type h struct{}\n\n" +
				"func (h) HandleOrderPlaced(context.Context, *envelope.Envelope, *orders.OrderPlaced) error { return nil }\n\n" +
				"func register(s *orders.OrdersSubscription) { s.Handle(h{}) }\n",
			want: []string{"h does not implement orders.OrdersHandler (missing method HandleOrderCancelled)"},
		},
		{
			name: "pattern_happy_path",
			body: "type h struct{ placed, cancelled, captured chan string }\n\n" +
				"func (h h) HandleOrderPlaced(_ context.Context, _ *envelope.Envelope, m *orders.OrderPlaced) error { h.placed <- m.CustomerID; return nil }\n" +
				"func (h h) HandleOrderCancelled(_ context.Context, _ *envelope.Envelope, m *orders.OrderCancelled) error { h.cancelled <- string(m.Reason); return nil }\n" +
				"func (h h) HandlePaymentCaptured(_ context.Context, _ *envelope.Envelope, m *orders.PaymentCaptured) error { h.captured <- m.PaymentID; return nil }\n\n" +
				patternMain,
		},
		{
			name: "happy_path",
			body: "type h struct{ orders.UnimplementedHandler; done chan *orders.OrderPlaced }\n\n" +
				"func (h h) HandleOrderPlaced(_ context.Context, _ *envelope.Envelope, m *orders.OrderPlaced) error { h.done <- m; return nil }\n\n" +
				happyMain,
		},
	}
	for _, tc := range cases {
		pkg := filepath.Join(dir, tc.name)
		pkgName := "consumer"
		if tc.want == nil || strings.HasSuffix(tc.name, "happy_path") {
			pkgName = "main"
		}
		writeFile(t, filepath.Join(pkg, "main.go"), "package "+pkgName+"\n\n"+consumerImports+"\n"+tc.body)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == nil {
				out, err := goCmd(t, dir, "run", "./"+tc.name)
				if err != nil {
					t.Fatalf("go run: %v\n%s", err, out)
				}
				want := "received order for customer cus_1 with 1 line(s)"
				if tc.name == "pattern_happy_path" {
					want = "orders topic: placed by cus_1, cancelled (payment_failed), captured pay_1; stores channel refused: true"
				}
				if !strings.Contains(out, want) {
					t.Errorf("output:\n%s", out)
				}
				return
			}
			out, err := goCmd(t, dir, "build", "-o", os.DevNull, "./"+tc.name)
			if err == nil {
				t.Fatalf("%s compiled, want an error", tc.name)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("compiler output does not contain\n\t%s\ngot:\n%s", w, out)
				}
			}
		})
	}
}

const happyMain = `func main() {
` + memoryClient + `	sub, err := c.Subscribe(ctx, "orders")
	if err != nil {
		panic(err)
	}
	got := h{done: make(chan *orders.OrderPlaced, 1)}
	sub.Handle(got)
	if err := sub.Start(); err != nil {
		panic(err)
	}
` + validOrderPlaced + `	if _, err := c.PublishOrderPlaced(ctx, "orders", &o); err != nil {
		panic(err)
	}
	m := <-got.done
	fmt.Printf("received order for customer %s with %d line(s)\n", m.CustomerID, len(m.Lines))
}
`

// TestNewAspectBreaksHandlers generates the package again from the same
// schemas plus a new aspect: a handler written for the six aspects no
// longer compiles until it handles the seventh.
func TestNewAspectBreaksHandlers(t *testing.T) {
	dir := consumerModule(t)
	fsys := fstest.MapFS{}
	var names []string
	err := filepath.WalkDir("../../schemas", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel("../../schemas", path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fsys[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data}
		if !strings.Contains(filepath.ToSlash(rel), "/") {
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fsys["order_refunded.json"] = &fstest.MapFile{Data: []byte(`{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "OrderRefunded",
  "description": "Money went back to the customer.",
  "type": "object",
  "required": ["order_id", "amount"],
  "properties": {
    "order_id": {"$ref": "defs/commerce.json#/$defs/OrderID"},
    "amount": {"$ref": "defs/commerce.json#/$defs/Money"}
  }
}`)}
	names = append(names, "order_refunded.json")
	files, err := gen.Generate(gen.Config{FS: fsys, Schemas: names, Package: "orders2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		writeFile(t, filepath.Join(dir, "orders2", f.Name), string(f.Content))
	}
	src := "package consumer\n\nimport (\n\t\"context\"\n\n\t\"github.com/parsec-gen/parsec-gen/runtime/envelope\"\n\t\"consumer/orders2\"\n)\n\n" +
		"type h struct{}\n\n" + handlerMethods("orders2") + "\nvar _ orders2.Handler = h{}\n"
	writeFile(t, filepath.Join(dir, "handler", "handler.go"), src)
	out, err := goCmd(t, dir, "build", "-o", os.DevNull, "./handler")
	if err == nil {
		t.Fatal("a handler of six aspects compiled against seven")
	}
	if want := "h does not implement orders2.Handler (missing method HandleOrderRefunded)"; !strings.Contains(out, want) {
		t.Errorf("compiler output does not contain %q:\n%s", want, out)
	}
	// Handling the new aspect makes it compile again.
	src += "\nfunc (h) HandleOrderRefunded(context.Context, *envelope.Envelope, *orders2.OrderRefunded) error { return nil }\n"
	writeFile(t, filepath.Join(dir, "handler", "handler.go"), src)
	if out, err := goCmd(t, dir, "build", "-o", os.DevNull, "./handler"); err != nil {
		t.Errorf("handler of all seven aspects: %v\n%s", err, out)
	}
}

// patternMain publishes through the typed topic of the "orders" pattern and
// handles with the pattern's handler, which routes the optional
// payment_captured too because h has its method.
const patternMain = `func main() {
` + memoryClient + `	topic, err := c.Orders(orders.OrdersChannel())
	if err != nil {
		panic(err)
	}
	sub, err := topic.Subscribe(ctx)
	if err != nil {
		panic(err)
	}
	got := h{placed: make(chan string, 1), cancelled: make(chan string, 1), captured: make(chan string, 1)}
	var _ orders.OrdersHandler = got
	sub.Handle(got)
	if err := sub.Start(); err != nil {
		panic(err)
	}
` + validOrderPlaced + `	var x orders.OrderCancelled
	if err := x.UnmarshalJSON([]byte(` + "`" + `{"order_id":"0b4f1c9e-3d6a-4c1e-9a57-2f8d6b1e7c30","reason":"payment_failed","cancelled_by":{"kind":"service","id":"billing"},"cancelled_at":"2026-05-27T14:23:09Z"}` + "`" + `)); err != nil {
		panic(err)
	}
	var p orders.PaymentCaptured
	if err := p.UnmarshalJSON([]byte(` + "`" + `{"payment_id":"pay_1","order_id":"0b4f1c9e-3d6a-4c1e-9a57-2f8d6b1e7c30","amount":{"amount_minor":1200,"currency":"EUR"},
		"method":{"type":"card","brand":"visa","last4":"4242"},"captured_at":"2026-05-27T14:22:39Z"}` + "`" + `)); err != nil {
		panic(err)
	}
	if _, err := topic.PublishOrderPlaced(ctx, &o); err != nil {
		panic(err)
	}
	if _, err := topic.PublishOrderCancelled(ctx, &x); err != nil {
		panic(err)
	}
	if _, err := topic.PublishPaymentCaptured(ctx, &p); err != nil {
		panic(err)
	}
	_, refused := c.Orders("stores")
	b, ok := orders.MatchOrdersChannel("orders")
	if !ok || b != (orders.OrdersBindings{}) {
		panic("orders does not match its own pattern")
	}
	fmt.Printf("orders topic: placed by %s, cancelled (%s), captured %s; stores channel refused: %v\n", <-got.placed, <-got.cancelled, <-got.captured, refused != nil)
}
`

// memoryClient starts a consumer's main: c is the typed client on a memory
// transport, ctx its context.
const memoryClient = `	ctx := context.Background()
	broker := client.NewMemoryTransport()
	rc, err := client.New(client.WithTransport(broker), client.WithProducer(envelope.Producer{ID: "p", Kind: envelope.ProducerService}))
	if err != nil {
		panic(err)
	}
	if err := rc.Connect(ctx, ""); err != nil {
		panic(err)
	}
	defer rc.Close()
	c := orders.NewClient(rc)
`

// validOrderPlaced decodes a valid order into o.
const validOrderPlaced = `	var o orders.OrderPlaced
	if err := o.UnmarshalJSON([]byte(` + "`" + `{"order_id":"0b4f1c9e-3d6a-4c1e-9a57-2f8d6b1e7c30","customer_id":"cus_1","sales_channel":"web",
		"lines":[{"sku":"MUG-1001","quantity":1,"unit_price":{"amount_minor":1200,"currency":"EUR"}}],
		"total":{"amount_minor":1200,"currency":"EUR"},"placed_at":"2026-05-27T14:22:09Z"}` + "`" + `)); err != nil {
		panic(err)
	}
`
