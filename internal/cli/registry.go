package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parsec-gen/parsec-gen/gen"
	"github.com/parsec-gen/parsec-gen/runtime/registry"
)

// defaultRegistryTimeout bounds fetching a registry snapshot.
const defaultRegistryTimeout = 30 * time.Second

// snapshotInput reads the snapshot of --registry-file, or fetches the one
// at --registry, for the generator.
func snapshotInput(cwd, outDir string, f generateFlags) (*gen.Snapshot, error) {
	if f.registryURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), f.registryTimeout)
		defer cancel()
		data, err := registry.Get(ctx, nil, f.registryURL)
		if err != nil {
			return nil, &failure{err.Error()}
		}
		return &gen.Snapshot{Data: data, Display: f.registryURL}, nil
	}
	p := absPath(cwd, f.registryFile)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, &failure{pathError(f.registryFile, err)}
	}
	src := filepath.ToSlash(displayPath(outDir, p))
	return &gen.Snapshot{Data: data, Display: displayPath(cwd, p), Source: src}, nil
}

func newRegistry(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "work with Parsec's schema registry",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef("registry: missing command: want one of %s", commandList(cmd))
		},
	}
	cmd.AddCommand(newRegistryPull(e))
	return cmd
}

func commandList(cmd *cobra.Command) string { return strings.Join(commandNames(cmd), ", ") }

func newRegistryPull(e env) *cobra.Command {
	var out string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "pull URL -o FILE",
		Short: "fetch a schema registry snapshot into a file, for committing",
		Long: `pull fetches the snapshot Parsec's schema registry serves at URL (its prefix,
by default /parsec/schemas), checks that it is a snapshot, and writes it to
FILE as served, for "parsec-gen generate --registry-file FILE". The file is
replaced only once the whole snapshot has arrived.`,
		Example: `  parsec-gen registry pull http://localhost:8000/parsec/schemas -o registry.snapshot.json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("registry pull: want one URL, got %d arguments", len(args))
			}
			if timeout <= 0 {
				return usagef("--timeout %s: want a positive duration", timeout)
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			cwd, err := e.getwd()
			if err != nil {
				return &failure{fmt.Sprintf("cannot determine the working directory: %v", err)}
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			data, err := registry.Get(ctx, nil, args[0])
			if err != nil {
				return &failure{err.Error()}
			}
			var s registry.Snapshot
			if err := json.Unmarshal(data, &s); err != nil {
				return &failure{fmt.Sprintf("%s: not a registry snapshot: %v", args[0], err)}
			}
			if len(data) == 0 || data[len(data)-1] != '\n' {
				data = append(data, '\n')
			}
			p := absPath(cwd, out)
			if err := writeFile(p, data); err != nil {
				return &failure{err.Error()}
			}
			fmt.Fprintf(e.stdout, "%s: %d patterns\n", displayPath(cwd, p), len(s.Patterns))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "the snapshot file to write")
	cmd.Flags().DurationVar(&timeout, "timeout", defaultRegistryTimeout, "how long fetching may take")
	if err := cmd.MarkFlagRequired("out"); err != nil {
		panic("unreachable: " + err.Error())
	}
	return cmd
}
