package events

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The native protocol's opcodes this package sends or reads (protocol v3 and v4 share them).
const (
	opError         byte = 0x00
	opStartup       byte = 0x01
	opReady         byte = 0x02
	opAuthenticate  byte = 0x03
	opOptions       byte = 0x05
	opSupported     byte = 0x06
	opRegister      byte = 0x0B
	opEvent         byte = 0x0C
	opAuthChallenge byte = 0x0E
	opAuthResponse  byte = 0x0F
	opAuthSuccess   byte = 0x10
)

// Header flags of a response whose body starts with something other than the message.
const (
	flagCompression   byte = 0x01
	flagTracing       byte = 0x02
	flagCustomPayload byte = 0x04
	flagWarning       byte = 0x08
)

const (
	headerLen = 9
	// maxBody bounds what is read of a frame: the frames of this connection (READY, SUPPORTED,
	// AUTHENTICATE, ERROR, EVENT) are small, and a larger one means the stream is not what it
	// should be.
	maxBody = 1 << 20
	// eventStream is the stream id of server-pushed EVENT frames.
	eventStream = -1
)

// frame is one native-protocol frame.
type frame struct {
	version byte // without the response bit
	flags   byte
	stream  int16
	opcode  byte
	body    []byte
}

// writeFrame writes a request frame.
func writeFrame(w io.Writer, version byte, stream int16, opcode byte, body []byte) error {
	buf := make([]byte, headerLen+len(body))
	buf[0] = version
	binary.BigEndian.PutUint16(buf[2:], uint16(stream))
	buf[4] = opcode
	binary.BigEndian.PutUint32(buf[5:], uint32(len(body)))
	copy(buf[headerLen:], body)
	_, err := w.Write(buf)
	return err
}

// readFrame reads one response frame.
func readFrame(r io.Reader) (frame, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return frame{}, err
	}
	if h[0]&0x80 == 0 {
		return frame{}, fmt.Errorf("not a response frame (version byte %#x)", h[0])
	}
	n := binary.BigEndian.Uint32(h[5:])
	if n > maxBody {
		return frame{}, fmt.Errorf("frame of %d bytes (opcode %#x) is larger than expected", n, h[4])
	}
	f := frame{version: h[0] & 0x7f, flags: h[1], stream: int16(binary.BigEndian.Uint16(h[2:])), opcode: h[4], body: make([]byte, n)}
	if _, err := io.ReadFull(r, f.body); err != nil {
		return frame{}, err
	}
	if f.flags&flagCompression != 0 {
		return frame{}, errors.New("a compressed frame, although no compression was negotiated")
	}
	return f, nil
}

// message is the body of a response without what its flags put before it: a tracing id, a
// custom payload, warnings.
func (f frame) message() (*reader, error) {
	r := &reader{b: f.body}
	if f.flags&flagTracing != 0 {
		r.skip(16)
	}
	if f.flags&flagWarning != 0 {
		r.stringList()
	}
	if f.flags&flagCustomPayload != 0 {
		for i, n := 0, r.short(); i < n; i++ {
			r.string()
			r.bytes()
		}
	}
	return r, r.err
}

// reader reads the protocol's notations from a body. The first error sticks: later reads return
// zero values, and err says what went wrong.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("truncated body: want %d bytes, have %d", n, len(r.b))
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) skip(n int) { r.take(n) }

func (r *reader) short() int {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(b))
}

func (r *reader) int() int32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

// string is a [string]: a [short] length and that many UTF-8 bytes.
func (r *reader) string() string { return string(r.take(r.short())) }

// bytes is a [bytes]: an [int] length (negative: null) and that many bytes.
func (r *reader) bytes() []byte {
	n := r.int()
	if n < 0 {
		return nil
	}
	return r.take(int(n))
}

func (r *reader) stringList() []string {
	n := r.short()
	out := make([]string, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, r.string())
	}
	return out
}

// writer builds a request body.
type writer struct{ b []byte }

func (w *writer) short(n int) { w.b = binary.BigEndian.AppendUint16(w.b, uint16(n)) }

func (w *writer) string(s string) {
	w.short(len(s))
	w.b = append(w.b, s...)
}

func (w *writer) bytes(p []byte) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(p)))
	w.b = append(w.b, p...)
}

func (w *writer) stringMap(m [][2]string) {
	w.short(len(m))
	for _, kv := range m {
		w.string(kv[0])
		w.string(kv[1])
	}
}

func (w *writer) stringList(l []string) {
	w.short(len(l))
	for _, s := range l {
		w.string(s)
	}
}

// ServerError is an ERROR frame.
type ServerError struct {
	Code    int32
	Message string
}

func (e *ServerError) Error() string { return fmt.Sprintf("error %#x: %s", e.Code, e.Message) }

// Error codes this package tells apart.
const (
	codeProtocol int32 = 0x000A
	codeBadCreds int32 = 0x0100
)

func parseError(f frame) error {
	r, err := f.message()
	if err != nil {
		return fmt.Errorf("unreadable ERROR frame: %w", err)
	}
	e := &ServerError{Code: r.int(), Message: r.string()}
	if r.err != nil {
		return fmt.Errorf("unreadable ERROR frame: %w", r.err)
	}
	return e
}

// parseEvent reads an EVENT frame. ok is false for an event of another type than SCHEMA_CHANGE
// (only SCHEMA_CHANGE is registered for, but a server may send others).
func parseEvent(f frame) (c Change, ok bool, err error) {
	r, err := f.message()
	if err != nil {
		return Change{}, false, err
	}
	if kind := r.string(); kind != "SCHEMA_CHANGE" {
		return Change{}, false, r.err
	}
	c.Type = ChangeType(r.string())
	c.Target = Target(r.string())
	c.Keyspace = r.string()
	switch c.Target {
	case TargetKeyspace:
	case TargetTable, TargetType:
		c.Name = r.string()
	case TargetFunction, TargetAggregate:
		c.Name = r.string()
		c.Arguments = r.stringList()
	default:
		return Change{}, false, fmt.Errorf("SCHEMA_CHANGE of unknown target %q", c.Target)
	}
	if r.err != nil {
		return Change{}, false, fmt.Errorf("unreadable SCHEMA_CHANGE event: %w", r.err)
	}
	return c, true, nil
}
