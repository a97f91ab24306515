package client

import (
	"fmt"
	"sync"
)

// Page is the clients of one page by account: the same userName in two
// ExotelWebClients would fight over one registration, so the second is
// refused. C is the bridge's client type.
type Page[C comparable] struct {
	mu     sync.Mutex
	byUser map[string]C
}

// Claim gives user to c. It fails when another client holds user. previous
// is the account c held before ("" if none): it is freed when c moves on.
func (p *Page[C]) Claim(user string, c C, previous string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byUser == nil {
		p.byUser = map[string]C{}
	}
	if other, taken := p.byUser[user]; taken && other != c {
		return fmt.Errorf("userName %q is already used by another ExotelWebClient in this page", user)
	}
	p.byUser[user] = c
	if previous != "" && previous != user && p.byUser[previous] == c {
		delete(p.byUser, previous)
	}
	return nil
}

// All lists the clients that hold an account.
func (p *Page[C]) All() []C {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]C, 0, len(p.byUser))
	for _, c := range p.byUser {
		out = append(out, c)
	}
	return out
}
