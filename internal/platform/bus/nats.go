package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// NATS is the bus of a cluster: core NATS subjects, delivered to every node.
type NATS struct {
	nc *nats.Conn
}

var _ Bus = (*NATS)(nil)

// DialNATS connects to a NATS server and keeps reconnecting for ever; while
// disconnected, Ready reports it and publishes are buffered by the client.
func DialNATS(url, name string) (*NATS, error) {
	nc, err := nats.Connect(url,
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500*time.Millisecond),
		nats.Timeout(5*time.Second),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: cannot reach NATS at %s: %w", url, err)
	}
	return &NATS{nc: nc}, nil
}

// Publish sends data on subject.
func (n *NATS) Publish(ctx context.Context, subject string, data []byte) error {
	return n.nc.Publish(subject, data)
}

// Subscribe receives every message on subjects matching pattern.
func (n *NATS) Subscribe(pattern string, h Handler) (Subscription, error) {
	s, err := n.nc.Subscribe(pattern, func(m *nats.Msg) { h(m.Subject, m.Data) })
	if err != nil {
		return nil, err
	}
	// Never drop events silently for a slow handler: a generous pending
	// limit; the handlers themselves must not block.
	_ = s.SetPendingLimits(1<<20, 512<<20)
	return s, nil
}

// Flush waits until the server has processed everything published so far.
func (n *NATS) Flush(ctx context.Context) error { return n.nc.FlushWithContext(ctx) }

// Ready reports whether the connection to NATS is up.
func (n *NATS) Ready() error {
	if !n.nc.IsConnected() {
		return errors.New("bus: not connected to NATS (" + n.nc.Status().String() + ")")
	}
	return nil
}

// Close drains pending messages and closes the connection.
func (n *NATS) Close() error {
	err := n.nc.Drain()
	if errors.Is(err, nats.ErrConnectionClosed) {
		return nil
	}
	return err
}
