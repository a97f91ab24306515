package sip

// exotelsdk wasm build: the transactions log through this interface instead
// of *slog.Logger. Importing log/slog links its default handler at init, and
// with it encoding/json's reflection-driven encoder: about 75 KB brotli the
// SDK never runs (it routes sipgo's lines into its own log book).
// sdk/sipua's txlog_noslog.go passes its logger; native builds keep slog.

// Logger is what a transaction logs through: a message and key-value pairs.
type Logger interface {
	Debug(msg string, args ...any)
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
}

type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}

// SetDefaultLogger is sipgo's, taking a Logger.
func SetDefaultLogger(l Logger) { defLogger = l }

var defLogger Logger = nopLogger{}

// DefaultLogger is what code without a transaction logs through (lazy
// header parsing): nothing, unless SetDefaultLogger was called.
func DefaultLogger() Logger { return defLogger }
