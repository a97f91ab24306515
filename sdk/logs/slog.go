//go:build !sipgo_noslog

package logs

import (
	"context"
	"log/slog"
	"strings"
)

// This file is left out of the wasm build (tag sipgo_noslog, set by
// scripts/build-wasm.sh with the module edits of scripts/wasm-overlay):
// importing log/slog links its default handler and encoding/json's encoder,
// about 75 KB brotli. There sipgo logs through KV instead.

// Slog adapts the logger for libraries that log through log/slog (sipgo's
// transactions); their lines are written at debug level or above as they say.
func (l *Logger) Slog() *slog.Logger { return slog.New(slogHandler{l: l}) }

type slogHandler struct {
	l     *Logger
	attrs string
}

func (h slogHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h slogHandler) Handle(_ context.Context, r slog.Record) error {
	var sb strings.Builder
	sb.WriteString(r.Message)
	sb.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		sb.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	level := Debug
	switch {
	case r.Level >= slog.LevelError:
		level = Error
	case r.Level >= slog.LevelWarn:
		level = Warn
	}
	h.l.book.write(level, h.l.scope, sb.String())
	return nil
}

func (h slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	for _, a := range attrs {
		h.attrs += " " + a.Key + "=" + a.Value.String()
	}
	return h
}

func (h slogHandler) WithGroup(string) slog.Handler { return h }
