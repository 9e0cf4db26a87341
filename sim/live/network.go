package live

import (
	"context"
	"fmt"
	"net"
	"sync"
	"syscall"
)

// Network is where a live run's servers listen and its clients connect.
// Every listener is on the loopback interface.
type Network interface {
	// Listen opens a listener on a free loopback port.
	Listen() (net.Listener, error)
	// DialContext connects to addr, as http.Transport.DialContext does.
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// Loopback is the real network: TCP on 127.0.0.1, and nothing else.
type Loopback struct{}

var _ Network = Loopback{}

// Listen listens on 127.0.0.1 on a port the kernel chooses.
func (Loopback) Listen() (net.Listener, error) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1: %w", err)
	}
	return l, nil
}

// DialContext connects over TCP; it refuses any address but 127.0.0.1, so
// that a live run never talks to another host.
func (Loopback) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host != "127.0.0.1" {
		return nil, fmt.Errorf("dialing %s: live runs connect to 127.0.0.1 only", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp4", addr)
}

// Pipes is an in-memory network of net.Pipe connections, for running live
// code under testing/synctest, where goroutines blocked on real sockets
// would keep time from advancing. Its listeners take addresses of the form
// 127.0.0.1:port so that URLs look as they do on the real network. The zero
// value is ready to use.
type Pipes struct {
	mu        sync.Mutex
	listeners map[string]*pipeListener
	next      int
}

var _ Network = (*Pipes)(nil)

// Listen opens an in-memory listener on the next free port.
func (p *Pipes) Listen() (net.Listener, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.listeners == nil {
		p.listeners = map[string]*pipeListener{}
	}
	p.next++
	addr := pipeAddr(fmt.Sprintf("127.0.0.1:%d", 40000+p.next))
	l := &pipeListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{}), net: p}
	p.listeners[string(addr)] = l
	return l, nil
}

// DialContext connects to the listener at addr, or fails as a refused
// connection does when there is none.
func (p *Pipes) DialContext(ctx context.Context, _, addr string) (net.Conn, error) {
	p.mu.Lock()
	l := p.listeners[addr]
	p.mu.Unlock()
	if l == nil {
		return nil, &net.OpError{Op: "dial", Net: "pipe", Err: syscall.ECONNREFUSED}
	}
	server, client := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, &net.OpError{Op: "dial", Net: "pipe", Err: syscall.ECONNREFUSED}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeListener struct {
	addr  pipeAddr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	net   *Pipes
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() {
		close(l.done)
		l.net.mu.Lock()
		delete(l.net.listeners, string(l.addr))
		l.net.mu.Unlock()
	})
	return nil
}

func (l *pipeListener) Addr() net.Addr { return l.addr }

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }
