package sipua

import (
	"sync"

	"github.com/emiago/sipgo/sip"
)

// ClientTransaction is one request the UA sent and the responses that come back
// for it (RFC 3261 §17.1), on sipgo's client transaction state machine.
// Responses are buffered so that the receive loop never waits for the consumer.
type ClientTransaction struct {
	ua        *UA
	tx        *sip.ClientTx
	responses chan *sip.Response

	mu   sync.Mutex
	err  error
	done chan struct{}
}

// Request sends req in a new client transaction. The returned transaction's
// Responses channel closes when it ends; Err then says why if no final
// response came (timeout, lost connection).
func (ua *UA) Request(req *sip.Request) (*ClientTransaction, error) {
	req.SetTransport("WS")
	key, err := sip.ClientTxKeyMake(req)
	if err != nil {
		return nil, err
	}
	c := &ClientTransaction{
		ua:        ua,
		tx:        sip.NewClientTx(key, req, uaConn{ua}, ua.txLog),
		responses: make(chan *sip.Response, 32),
		done:      make(chan struct{}),
	}
	ua.mu.Lock()
	ua.client[key] = c
	ua.mu.Unlock()
	started := false
	defer func() { // also when Init panics in the transport
		if !started {
			ua.mu.Lock()
			delete(ua.client, key)
			ua.mu.Unlock()
			c.tx.Terminate()
		}
	}()
	// 2xx retransmissions to an accepted INVITE (RFC 6026) go to the stray
	// handler, which ACKs them again (RFC 3261 §13.2.2.4).
	c.tx.OnRetransmission(ua.strayResponse)
	if err := c.tx.Init(); err != nil {
		return nil, err
	}
	started = true
	ua.log.Go("client transaction", func() { c.forward(key) })
	return c, nil
}

// forward moves responses from the state machine to the buffered channel and
// closes it when the transaction ends.
func (c *ClientTransaction) forward(key string) {
	defer func() {
		c.ua.mu.Lock()
		if c.ua.client[key] == c {
			delete(c.ua.client, key)
		}
		c.ua.mu.Unlock()
		close(c.responses)
	}()
	for {
		select {
		case res := <-c.tx.Responses():
			select {
			case c.responses <- res:
			default:
				c.ua.log.Warnf("response buffer full; dropped %s", res.Short())
			}
		case <-c.tx.Done():
			return
		case <-c.done:
			c.tx.Terminate()
			return
		}
	}
}

// Responses delivers every response, provisional and final, in arrival order.
func (c *ClientTransaction) Responses() <-chan *sip.Response { return c.responses }

// Request is the request this transaction sent.
func (c *ClientTransaction) Request() *sip.Request { return c.tx.Origin() }

// Err is why the transaction ended without a final response, or nil.
func (c *ClientTransaction) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	return c.tx.Err()
}

// Terminate ends the transaction now; no more responses are delivered.
func (c *ClientTransaction) Terminate() { c.fail(sip.ErrTransactionTerminated) }

func (c *ClientTransaction) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
	default:
		c.err = err
		close(c.done)
	}
}

func (c *ClientTransaction) ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}
