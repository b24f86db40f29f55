module github.com/parsec-gen/parsec-gen/gen/emit/internal/bench/goccy

go 1.26.0

require (
	github.com/goccy/go-json v0.10.5
	github.com/parsec-gen/parsec-gen v0.1.0
)
