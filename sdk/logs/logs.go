// Package logs is the SDK's log book: every component writes its lines here, the
// last lines are kept in memory for downloadLogs and the troubleshooting report,
// and sinks (the app's logger callback, the browser console) see each line as it
// is written.
//
// Nothing secret may be written: callers redact SIP authorization headers before
// logging a message (see sipua.Redact) and never pass passwords.
package logs

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Level orders lines by importance.
type Level int

const (
	Debug Level = iota
	Info
	Warn
	Error
)

// String gives the level the way the app's logger callback receives it.
func (l Level) String() string {
	switch l {
	case Debug:
		return "debug"
	case Info:
		return "info"
	case Warn:
		return "warn"
	default:
		return "error"
	}
}

// Entry is one written line.
type Entry struct {
	Time    time.Time
	Level   Level
	Scope   string // which component or phone wrote it, e.g. "alice/register"
	Message string
}

// String formats the entry as one line of a downloaded log file.
func (e Entry) String() string {
	return fmt.Sprintf("%s [%s] %s: %s", e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), e.Level, e.Scope, e.Message)
}

// Book keeps the most recent entries and fans every new entry out to sinks.
// It is bounded twice: at most capacity entries and at most maxBytes of
// message text, so that a flood of large messages (a hostile server's 60 KB
// frames, logged at debug level) cannot grow the page's memory.
type Book struct {
	mu       sync.Mutex
	ring     []Entry // circular: count entries starting at start
	start    int
	count    int
	bytes    int // message bytes of the remembered entries
	maxBytes int
	sinks    map[int]func(Entry)
	seq      int
	now      func() time.Time
}

// Book's default byte bounds: all remembered entries together, and one
// entry's message (longer ones are cut, saying how much was dropped).
const (
	DefaultMaxBytes = 2 << 20
	MaxEntryBytes   = 32 << 10
)

// NewBook returns a book that remembers the last capacity entries, and no
// more than DefaultMaxBytes of their text.
func NewBook(capacity int) *Book {
	if capacity < 1 {
		capacity = 1
	}
	return &Book{ring: make([]Entry, capacity), maxBytes: DefaultMaxBytes, sinks: map[int]func(Entry){}, now: time.Now}
}

// SetMaxBytes changes the bound on the remembered text; older entries are
// forgotten at once if it is exceeded.
func (b *Book) SetMaxBytes(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n < 1 {
		n = 1
	}
	b.maxBytes = n
	b.evictLocked()
}

// Bytes is the message text the book remembers now (at most its max bytes).
func (b *Book) Bytes() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bytes
}

// Subscribe adds a sink that sees every entry written from now on; the returned
// function removes it. Sinks run synchronously and must not block.
func (b *Book) Subscribe(sink func(Entry)) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	id := b.seq
	b.sinks[id] = sink
	return func() {
		b.mu.Lock()
		delete(b.sinks, id)
		b.mu.Unlock()
	}
}

// Entries returns the remembered entries, oldest first.
func (b *Book) Entries() []Entry {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Entry, 0, b.count)
	for i := 0; i < b.count; i++ {
		out = append(out, b.ring[(b.start+i)%len(b.ring)])
	}
	return out
}

// Text returns the remembered entries as a text file, one line each.
func (b *Book) Text() string {
	var sb strings.Builder
	for _, e := range b.Entries() {
		sb.WriteString(e.String())
		sb.WriteByte('\n')
	}
	return sb.String()
}

func (b *Book) write(level Level, scope, msg string) {
	if len(msg) > MaxEntryBytes {
		msg = fmt.Sprintf("%s… (%d more bytes not logged)", msg[:MaxEntryBytes], len(msg)-MaxEntryBytes)
	}
	e := Entry{Time: b.now(), Level: level, Scope: scope, Message: msg}
	b.mu.Lock()
	if b.count == len(b.ring) {
		b.dropOldestLocked()
	}
	b.ring[(b.start+b.count)%len(b.ring)] = e
	b.count++
	b.bytes += len(msg)
	b.evictLocked()
	sinks := make([]func(Entry), 0, len(b.sinks))
	for _, s := range b.sinks {
		sinks = append(sinks, s)
	}
	b.mu.Unlock()
	for _, s := range sinks {
		s(e)
	}
}

// evictLocked forgets the oldest entries until the text fits in maxBytes;
// the newest entry is always kept.
func (b *Book) evictLocked() {
	for b.bytes > b.maxBytes && b.count > 1 {
		b.dropOldestLocked()
	}
}

func (b *Book) dropOldestLocked() {
	b.bytes -= len(b.ring[b.start].Message)
	b.ring[b.start] = Entry{}
	b.start = (b.start + 1) % len(b.ring)
	b.count--
}

// Logger writes into a Book under one scope.
type Logger struct {
	book  *Book
	scope string
}

// Logger returns a logger that writes into b under scope.
func (b *Book) Logger(scope string) *Logger { return &Logger{book: b, scope: scope} }

// With returns a logger for a sub-component: its scope is this one's plus "/"+name.
func (l *Logger) With(name string) *Logger {
	if l.scope == "" {
		return &Logger{book: l.book, scope: name}
	}
	return &Logger{book: l.book, scope: l.scope + "/" + name}
}

func (l *Logger) Debugf(format string, args ...any) {
	l.book.write(Debug, l.scope, fmt.Sprintf(format, args...))
}
func (l *Logger) Infof(format string, args ...any) {
	l.book.write(Info, l.scope, fmt.Sprintf(format, args...))
}
func (l *Logger) Warnf(format string, args ...any) {
	l.book.write(Warn, l.scope, fmt.Sprintf(format, args...))
}
func (l *Logger) Errorf(format string, args ...any) {
	l.book.write(Error, l.scope, fmt.Sprintf(format, args...))
}

// KV adapts the logger for libraries that log a message and key-value
// pairs (sipgo's transactions in the wasm build, see sdk/sipua's
// txlog_noslog.go). As with Slog, info lines are written at debug level:
// they are the library's traces, not the SDK's news.
func (l *Logger) KV() KV { return KV{l: l} }

// KV is a Logger for a message and key-value pairs.
type KV struct{ l *Logger }

func (k KV) Debug(msg string, args ...any) { k.write(Debug, msg, args) }
func (k KV) Info(msg string, args ...any)  { k.write(Debug, msg, args) }
func (k KV) Warn(msg string, args ...any)  { k.write(Warn, msg, args) }
func (k KV) Error(msg string, args ...any) { k.write(Error, msg, args) }

func (k KV) write(level Level, msg string, args []any) {
	var sb strings.Builder
	sb.WriteString(msg)
	for i := 0; i < len(args); i += 2 {
		if i+1 == len(args) {
			fmt.Fprintf(&sb, " %v", args[i])
			break
		}
		fmt.Fprintf(&sb, " %v=%v", args[i], args[i+1])
	}
	k.l.book.write(level, k.l.scope, sb.String())
}
