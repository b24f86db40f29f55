package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/registry"
	"github.com/parsec-gen/parsec-gen/runtime/schema"
	"github.com/parsec-gen/parsec-gen/server"
)

// The data aspect's schema before and after the registry update: v2
// requires a property v1 producers do not send.
const (
	dataV1 = `{"type":"object","required":["user"],"properties":{"user":{"type":"string"}}}`
	dataV2 = `{"type":"object","required":["user","ttl"],"properties":{"user":{"type":"string"},"ttl":{"type":"integer"}}}`
)

// TestRegistryDriftEndToEnd: the embedded server's registry endpoint feeds
// parsec-gen generate --registry; a program built from the generated
// package publishes and receives through a typed channel pattern on the same
// server with drift detection on; a registry update is broadcast on the
// change channel and the program reports the drift, judged breaking for a
// publisher with a witness the old schema accepts and the new one rejects.
func TestRegistryDriftEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds parsec-gen and a consumer program with the go command")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := server.NewRegistry(registry.Entry{
		Pattern: "sessions:{id}", Description: "One user session.", Version: 1,
		Aspects: registry.Aspects{
			{Name: "data", Description: "The session's state.", Required: true,
				PayloadSchema: json.RawMessage(dataV1)},
			{Name: "cursor", Description: "No schema: raw JSON."},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, server.Config{Registry: reg})

	dir := t.TempDir()
	bin := filepath.Join(dir, "parsec-gen")
	if out, err := goCommand(t, root, "build", "-o", bin, "./cmd/parsec-gen"); err != nil {
		t.Fatalf("build parsec-gen: %v\n%s", err, out)
	}
	mod := filepath.Join(dir, "consumer")
	writeTestFile(t, filepath.Join(mod, "go.mod"), "module consumer\n\ngo 1.25.0\n\nrequire github.com/parsec-gen/parsec-gen v0.0.0\n\nreplace github.com/parsec-gen/parsec-gen => "+root+"\n")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(mod, "go.sum"), string(sum))
	gen := exec.Command(bin, "generate", "-o", "sessions", "-p", "sessions", "--registry", srv.RegistryURL(), "--registry-timeout", "10s")
	gen.Dir = mod
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("parsec-gen generate --registry: %v\n%s", err, out)
	}
	writeTestFile(t, filepath.Join(mod, "main.go"), consumerMain)
	prog := filepath.Join(dir, "consumer-bin")
	if out, err := goCommand(t, mod, "build", "-o", prog, "."); err != nil {
		t.Fatalf("build the consumer: %v\n%s", err, out)
	}

	token, err := srv.Token("consumer", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog)
	cmd.Env = append(os.Environ(), "WS_URL="+srv.URL(), "TOKEN="+token, "REGISTRY_URL="+srv.RegistryURL())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(what string) string {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the consumer ended before %s; stderr:\n%s", what, stderr.String())
			}
			return l
		case <-ctx.Done():
			t.Fatalf("no %s within the bound; stderr:\n%s", what, stderr.String())
		}
		return ""
	}
	if l := next("delivery"); l != `received data from ada on session 42, cursor {"x":3}` {
		t.Fatalf("consumer said %q", l)
	}
	// The drift watcher subscribes to the change channel after Connect;
	// update the registry once it is there, so the broadcast reaches it.
	waitFor(t, 20*time.Second, "the drift watcher on the change channel", func() bool {
		p, err := srv.Node().Presence(registry.ChangeChannel)
		return err == nil && len(p.Presence) > 0
	})
	if _, err := reg.Register(registry.Entry{
		Pattern: "sessions:{id}", Description: "One user session.",
		Aspects: registry.Aspects{
			{Name: "data", Description: "The session's state.", Required: true,
				PayloadSchema: json.RawMessage(dataV2)},
			{Name: "cursor", Description: "No schema: raw JSON."},
		},
	}); err != nil {
		t.Fatal(err)
	}
	if l, want := next("drift report"), `drift: parsec: registry drift: pattern "sessions:{id}": version changed (compiled version 1, live version 2)`; l != want {
		t.Fatalf("consumer said %q, want %q", l, want)
	}
	want := `drift: parsec: registry drift: pattern "sessions:{id}" aspect "data": payload schema changed (compiled version 1, live version 2): breaking for a client that publishes: `
	if l := next("judged drift report"); !strings.HasPrefix(l, want) || !strings.Contains(l, "'ttl'") {
		t.Fatalf("consumer said %q, want it to start %q and name ttl", l, want)
	}
	v1 := schema.NewSet([]schema.Aspect{{Name: "data", SchemaRef: "v1.json", Schema: []byte(dataV1)}}, nil)
	v2 := schema.NewSet([]schema.Aspect{{Name: "data", SchemaRef: "v2.json", Schema: []byte(dataV2)}}, nil)
	breaks := 0
	for l := next("break"); l != "verdict end"; l = next("break") {
		w, ok := strings.CutPrefix(l, "break: publishes ")
		if !ok {
			t.Fatalf("consumer said %q, want a break for a publisher", l)
		}
		if err := v1.Validate("v1.json", "", []byte(w)); err != nil {
			t.Errorf("witness %s is invalid under the compiled schema: %v", w, err)
		}
		if err := v2.Validate("v2.json", "", []byte(w)); err == nil {
			t.Errorf("witness %s is valid under the live schema", w)
		}
		breaks++
	}
	if breaks == 0 {
		t.Error("the judged drift has no break")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("consumer: %v\nstderr:\n%s", err, stderr.String())
	}
}

func goCommand(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// consumerMain is the program built against the generated package: typed
// topic and subscription of "sessions:{id}", drift detection on; it prints
// the delivery, then the first two drift reports (each judged one followed
// by its breaks, one line each, and "verdict end"), and exits.
const consumerMain = `package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"consumer/sessions"

	"github.com/parsec-gen/parsec-gen/gen/breaking"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/envelope"
	"github.com/parsec-gen/parsec-gen/runtime/registry"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	t, err := ws.New(os.Getenv("WS_URL"), ws.WithToken(os.Getenv("TOKEN")))
	if err != nil {
		return err
	}
	drift := make(chan error, 16)
	v, err := sessions.NewValidator(0)
	if err != nil {
		return err
	}
	rc, err := client.New(client.WithTransport(t), client.WithValidator(v),
		client.WithProducer(envelope.Producer{ID: "consumer", Kind: envelope.ProducerService}),
		client.WithErrorHandler(func(err error) {
			var de *registry.DriftError
			if errors.As(err, &de) {
				drift <- err
				return
			}
			fmt.Fprintln(os.Stderr, "error:", err)
		}),
		client.WithRegistryDrift(os.Getenv("REGISTRY_URL"), sessions.RegistryEntries(),
			client.WithDriftJudge(breaking.JudgeDrift), client.WithDriftDirection(registry.Publishes)))
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := rc.Connect(ctx, ""); err != nil {
		return err
	}
	select {
	case err := <-drift:
		return fmt.Errorf("drift at connect against the registry the code was generated from: %v", err)
	default:
	}
	c := sessions.NewClient(rc)
	topic, err := c.Sessions(sessions.SessionsChannel("42"))
	if err != nil {
		return err
	}
	sub, err := topic.Subscribe(ctx, client.WithManualStart())
	if err != nil {
		return err
	}
	got := make(chan string, 2)
	sub.OnData(func(_ context.Context, _ *envelope.Envelope, m *sessions.SessionsData) error {
		got <- m.User
		return nil
	})
	sub.OnCursor(func(_ context.Context, _ *envelope.Envelope, p json.RawMessage) error {
		got <- string(p)
		return nil
	})
	if err := sub.Start(); err != nil {
		return err
	}
	if _, err := topic.PublishData(ctx, &sessions.SessionsData{User: "ada"}); err != nil {
		return err
	}
	if _, err := topic.PublishCursor(ctx, json.RawMessage(` + "`" + `{"x":3}` + "`" + `)); err != nil {
		return err
	}
	user, cursor := <-got, <-got
	fmt.Printf("received data from %s on session %s, cursor %s\n", user, sub.Bindings().ID, cursor)
	for i := 0; i < 2; i++ {
		select {
		case err := <-drift:
			fmt.Println("drift:", err)
			var de *registry.DriftError
			if errors.As(err, &de) && de.Verdict != nil {
				for _, b := range de.Verdict.Breaks {
					fmt.Printf("break: %s %s\n", b.Direction, b.Witness)
				}
				fmt.Println("verdict end")
			}
		case <-ctx.Done():
			return errors.New("no drift report")
		}
	}
	return nil
}
`
