//go:build sipgo_noslog

package sipua

import (
	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/logs"
)

// txLog is what sipgo's transactions log through in the wasm build: its
// edited sipgo (scripts/wasm-overlay, which sets the sipgo_noslog tag) takes
// sip.Logger instead of *slog.Logger, so that log/slog is not linked.
type txLog = sip.Logger

func newTxLog(l *logs.Logger) txLog { return l.KV() }
