package live

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"sync"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// resultWriter writes every HTTP exchange of a run as a vegeta Result, in
// vegeta's own gob encoding, so that vegeta report and vegeta plot read the
// file. Each client is one attack, named after it; results carry no bodies.
type resultWriter struct {
	mu  sync.Mutex
	buf *bufio.Writer
	enc vegeta.Encoder
	seq map[string]uint64 // per attack, for exchanges made outside a vegeta attack
	err error
}

func newResultWriter(w io.Writer) *resultWriter {
	buf := bufio.NewWriterSize(w, 64<<10)
	return &resultWriter{buf: buf, enc: vegeta.NewEncoder(buf), seq: map[string]uint64{}}
}

// write writes a result of a vegeta attack.
func (rw *resultWriter) write(res *vegeta.Result) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err == nil {
		rw.err = rw.enc.Encode(res)
	}
}

// exchange writes an exchange made outside a vegeta attack, as its attack
// would have: numbered from a billion, so as not to take the numbers of the
// attack's own hits.
func (rw *resultWriter) exchange(attack, method, u string, x exchange) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err != nil {
		return
	}
	res := vegeta.Result{
		Attack: attack, Seq: 1e9 + rw.seq[attack], Code: uint16(x.code), Timestamp: x.start,
		Latency: x.end.Sub(x.start), BytesIn: uint64(len(x.body)), Method: method, URL: u,
	}
	rw.seq[attack]++
	switch {
	case x.err != nil:
		res.Error = x.err.Error()
	case x.code < 200 || x.code >= 400:
		res.Error = statusText(x.code)
	}
	rw.err = rw.enc.Encode(&res)
}

// flush writes out what is buffered, and reports the first error.
func (rw *resultWriter) flush() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err == nil {
		rw.err = rw.buf.Flush()
	}
	return rw.err
}

// statusText is a status as an HTTP response's status line gives it, which
// is what vegeta records as the error of a hit answered 4xx or 5xx.
func statusText(code int) string { return strconv.Itoa(code) + " " + http.StatusText(code) }
