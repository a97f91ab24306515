//go:build !sipgo_noslog

package sipua

import (
	"log/slog"

	"github.com/webphone/exotelsdk/sdk/logs"
)

// txLog is what sipgo's transactions log through. With the modules as
// published (native builds, go test, go vet) that is *slog.Logger; the wasm
// build's edited sipgo takes a smaller interface (txlog_noslog.go).
type txLog = *slog.Logger

func newTxLog(l *logs.Logger) txLog { return l.Slog() }
