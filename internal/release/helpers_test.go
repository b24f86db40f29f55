package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/internal/testenv"
)

const (
	rootModule   = "github.com/parsec-gen/parsec-gen"
	serverModule = rootModule + "/server"
)

// goCmdTimeout bounds every go command a test runs: a download that hangs
// fails the test instead of waiting for the global timeout.
const goCmdTimeout = 5 * time.Minute

// goEnv is the environment of the go commands a dependent runs: outside any
// workspace, with the local toolchain.
type goEnv []string

func baseEnv(extra ...string) goEnv {
	env := append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local")
	return append(env, extra...)
}

// run runs name with args in dir and returns its combined output; a failure
// or a run longer than goCmdTimeout fails the test with the output.
func (e goEnv) run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = e
	cmd.WaitDelay = 5 * time.Second
	timer := time.AfterFunc(goCmdTimeout, func() {
		if cmd.Process != nil {
			_ = cmd.Process.Kill() // reported below as the command's failure
		}
	})
	defer timer.Stop()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// goTool returns the go command, or ends the test through testenv.Missing.
func goTool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		testenv.Missing(t, "the go command is not on PATH")
	}
	return p
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// consumerFiles is a module of a team outside the repository: one aspect
// schema, a package generated from it by go generate, and a program that
// publishes a typed message over the in-process transport, receives it
// through the typed handler, and has an invalid one refused.
var consumerFiles = map[string]string{
	"schemas/greeting.json": `{
  "title": "Greeting",
  "description": "A greeting one service sends another.",
  "type": "object",
  "properties": {
    "text": {"type": "string", "minLength": 1},
    "sent_at": {"type": "string", "format": "date-time"}
  },
  "required": ["text"],
  "additionalProperties": false
}
`,
	"events/generate.go": `// Package events holds the Go types and the typed client generated from ../schemas.
package events

//go:generate go tool parsec-gen generate -o . ../schemas
`,
	"main.go": `// Command shop sends itself a greeting through the generated client.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"example.com/shop/events"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	broker := client.NewMemoryTransport()
	pub, err := client.New(client.WithTransport(broker),
		client.WithProducer(envelope.Producer{ID: "shop", Kind: envelope.ProducerService}))
	if err != nil {
		return err
	}
	sub, err := client.New(client.WithTransport(broker.Peer()))
	if err != nil {
		return err
	}
	for _, c := range []*client.Client{pub, sub} {
		if err := c.Connect(ctx, ""); err != nil {
			return err
		}
		defer c.Close()
	}
	s, err := events.NewClient(sub).Subscribe(ctx, "greetings")
	if err != nil {
		return err
	}
	got := make(chan string, 1)
	s.OnGreeting(func(_ context.Context, env *envelope.Envelope, g *events.Greeting) error {
		got <- fmt.Sprintf("%s #%d from %s: %s", env.Aspect, env.Sequence, env.Producer.ID, g.Text)
		return nil
	})
	if err := s.Start(); err != nil {
		return err
	}
	shop := events.NewClient(pub)
	if _, err := shop.PublishGreeting(ctx, "greetings", &events.Greeting{Text: "hello"}); err != nil {
		return err
	}
	select {
	case line := <-got:
		fmt.Println("received", line)
	case <-ctx.Done():
		return fmt.Errorf("no greeting received: %w", ctx.Err())
	}
	_, err = shop.PublishGreeting(ctx, "greetings", &events.Greeting{})
	if err == nil {
		return fmt.Errorf("an empty greeting was published")
	}
	fmt.Println("refused", err)
	return nil
}
`,
}

// consumerWant is what the consumer program prints.
const consumerWant = "received greeting #1 from shop: hello\nrefused parsec: publish greeting: /text: "

// checkConsumer builds and runs the consumer module in dir, whose package
// events has been generated, and checks what it prints.
func checkConsumer(t *testing.T, e goEnv, goBin, dir string) {
	t.Helper()
	for _, f := range []string{"greeting.parsec.go", "parsec_client.parsec.go"} {
		if _, err := os.Stat(filepath.Join(dir, "events", f)); err != nil {
			t.Errorf("go generate did not write events/%s: %v", f, err)
		}
	}
	e.run(t, dir, goBin, "vet", "./...")
	bin := filepath.Join(t.TempDir(), "shop")
	e.run(t, dir, goBin, "build", "-o", bin, ".")
	out := e.run(t, dir, bin)
	if !strings.HasPrefix(out, consumerWant) {
		t.Errorf("the consumer printed:\n%s\nwant it to start with:\n%s", out, consumerWant)
	}
}
