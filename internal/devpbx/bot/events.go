package bot

// Event is something that happened in one of the bot's calls, for pages
// that show the bot's side (the demo's read-back of digits).
type Event struct {
	Type   string `json:"type"`             // "call" (state changed) or "digit"
	Call   string `json:"call"`             // SIP Call-ID
	User   string `json:"user"`             // the other party
	State  string `json:"state"`            // ringing, connected, ended
	Digit  string `json:"digit,omitempty"`  // "digit": the new digit
	Digits string `json:"digits"`           // every digit of the call so far
	Reason string `json:"reason,omitempty"` // "call" ended: why
}

// Subscribe returns a channel of events from now on and a function that
// ends the subscription. A subscriber that falls 64 events behind loses
// the newest ones rather than slow the bot down.
func (b *Bot) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 64)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
		b.mu.Unlock()
	}
}

func (b *Bot) publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default:
		}
	}
}
