// Package bench is the live-chat load generator behind "switchboard bench
// chat". It drives one server through its public surface only: it creates a
// website channel with an admin API token, opens an agent stream that
// receives every message of the tenant, opens N visitor WebSockets and sends
// a fixed total rate of messages spread over them for a fixed time. Every
// message carries a unique client_id and its send time, so the tool can tell
// how long the acknowledgement and the delivery to the agent took, and
// whether anything acknowledged was lost, duplicated or reordered; at the
// end it reads the conversations back through the REST API.
//
// Everything is bounded: the number of connections and messages (limits
// below), the connect, send, drain and verification phases (each with a
// deadline), and the target (only the URL given).
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-cs/switchboard/client"
)

// Limits on a run.
const (
	MaxVisitors    = 100000
	MaxRate        = 100000 // messages per second
	MaxDuration    = time.Hour
	MaxDrain       = 5 * time.Minute
	MaxBodySize    = 10000
	DefaultDrain   = 10 * time.Second
	DefaultBody    = 80
	defaultConnect = 3 * time.Minute
	verifyTimeout  = 3 * time.Minute
)

// Visitor limits of the server (docs/protocol.md): a burst of 20 messages
// per connection, refilled at 5 per second. A schedule above them is refused
// in part with rate_limited, which the run reports as "refused".
const (
	serverBurst  = 20
	serverRefill = 5.0
)

// Config describes one run.
type Config struct {
	URL      string        // the server, http(s)://host:port
	Token    string        // an API token with the admin scope
	Visitors int           // visitor connections to open
	Rate     float64       // messages per second in total; 0 only holds the connections
	Duration time.Duration // how long to send (or hold)
	// Idle holds the connections for Duration without sending, to measure
	// the server's memory per connection (as Rate 0 does).
	Idle bool
	// Drain is how long to wait, after sending, for late acks and deliveries.
	Drain time.Duration
	// ConnectTimeout bounds opening all connections (default 3 min).
	ConnectTimeout time.Duration
	// PID is the server's process on this machine, read from /proc when its
	// /metrics cannot be scraped; 0 for none.
	PID int
	// Verify is how many visitors' conversations are read back through the
	// REST API after the run: 0 for all (the default), -1 for none.
	Verify int
	// SourceAddrs spreads the connections over this many loopback source
	// addresses (127.0.0.1, .2, …) when the server is on 127.0.0.0/8, so
	// that thousands of connections do not run out of ephemeral ports; 0
	// picks a number from the connection count.
	SourceAddrs int
	// BodySize is the length of each message body (default 80).
	BodySize int
	// Concurrency is how many connections are opened at once (default 64).
	Concurrency int
	// Warmup makes every visitor send one message first, opening its
	// conversation, and wait for its ack; these messages are not counted,
	// so that the figures describe conversations that are already open.
	Warmup bool
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// HTTPClient is used for the REST API and /metrics (default: a new one).
	HTTPClient *http.Client
}

// Result is what a run measured. The first keys are the stable summary;
// the others explain it.
type Result struct {
	Sent         int64    `json:"sent"`
	Acked        int64    `json:"acked"`
	Lost         int64    `json:"lost"`
	Duplicated   int64    `json:"duplicated"`
	OutOfOrder   int64    `json:"out_of_order"`
	MsgsPerS     float64  `json:"msgs_per_s"`
	AckP50Ms     float64  `json:"ack_p50_ms"`
	AckP99Ms     float64  `json:"ack_p99_ms"`
	DeliverP50Ms float64  `json:"deliver_p50_ms"`
	DeliverP99Ms float64  `json:"deliver_p99_ms"`
	RSSMB        *float64 `json:"rss_mb"` // the server's peak RSS during the run; null when unreadable

	Mode            string           `json:"mode"` // "load" or "idle"
	Warmup          bool             `json:"warmup"`
	Visitors        int              `json:"visitors"`
	Connections     int              `json:"connections"` // visitor connections still open at the end
	ConnectErrors   int              `json:"connect_errors"`
	Disconnects     int64            `json:"disconnects"` // visitor connections the server closed during the run
	ConnectS        float64          `json:"connect_s"`   // time to open every connection
	Rate            float64          `json:"rate"`
	DurationS       float64          `json:"duration_s"`
	Scheduled       int64            `json:"scheduled"` // messages the schedule called for
	SendLagP99Ms    float64          `json:"send_lag_p99_ms"`
	Refused         int64            `json:"refused"`     // answered with an error frame (e.g. rate_limited)
	Unacked         int64            `json:"unacked"`     // neither acked nor refused by the end of the drain
	Undelivered     int64            `json:"undelivered"` // acked, never delivered to the agent listener
	NotStored       int64            `json:"not_stored"`  // acked, missing from the REST API
	Verified        int64            `json:"verified"`    // acked messages read back through the REST API
	AckMaxMs        float64          `json:"ack_max_ms"`
	AckP99PerSecond []float64        `json:"ack_p99_ms_per_s"` // ack p99 of the messages sent in each second of the run
	DeliverMaxMs    float64          `json:"deliver_max_ms"`
	AgentOutOfOrder int64            `json:"agent_out_of_order"`
	AgentReconnects int              `json:"agent_reconnects"`
	Redelivered     int64            `json:"redelivered"` // replayed to the agent after a reconnect
	RSSStartMB      *float64         `json:"rss_start_mb"`
	KBPerConn       *float64         `json:"kb_per_conn"` // idle mode: (peak − start RSS) / connections
	RSSSource       string           `json:"rss_source,omitempty"`
	ServerCPUS      *float64         `json:"server_cpu_s"` // server CPU seconds spent during the send (or hold) phase
	BenchCPUS       float64          `json:"bench_cpu_s"`  // this tool's CPU seconds in the same phase
	Errors          map[string]int64 `json:"errors,omitempty"`
	SourceAddrsUsed int              `json:"source_addrs"`
	OpenFilesLimit  uint64           `json:"open_files_limit"`
}

// Failed reports whether anything acknowledged was lost, duplicated or out
// of order.
func (r *Result) Failed() bool {
	return r.Lost > 0 || r.Duplicated > 0 || r.OutOfOrder > 0
}

// Validate checks a configuration and fills in defaults.
func (c *Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url: %q is not an http:// or https:// server address", c.URL)
	}
	c.URL = strings.TrimRight(c.URL, "/")
	if c.Token == "" {
		return errors.New("--token is required (an API token with the admin scope)")
	}
	if c.Visitors < 1 || c.Visitors > MaxVisitors {
		return fmt.Errorf("--visitors: %d is not between 1 and %d", c.Visitors, MaxVisitors)
	}
	if c.Rate < 0 || c.Rate > MaxRate || math.IsNaN(c.Rate) {
		return fmt.Errorf("--rate: %v is not between 0 and %d messages per second", c.Rate, MaxRate)
	}
	if c.Rate == 0 {
		c.Idle = true
	}
	if c.Duration <= 0 || c.Duration > MaxDuration {
		return fmt.Errorf("--duration: %v is not between 0 and %v", c.Duration, MaxDuration)
	}
	if c.Drain == 0 {
		c.Drain = DefaultDrain
	}
	if c.Drain < 0 || c.Drain > MaxDrain {
		return fmt.Errorf("--drain: %v is not between 0 and %v", c.Drain, MaxDrain)
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = defaultConnect
	}
	if c.BodySize == 0 {
		c.BodySize = DefaultBody
	}
	if c.BodySize < 40 || c.BodySize > MaxBodySize {
		return fmt.Errorf("--body-size: %d is not between 40 and %d", c.BodySize, MaxBodySize)
	}
	if c.SourceAddrs < 0 || c.SourceAddrs > 250 {
		return fmt.Errorf("--source-addrs: %d is not between 0 and 250", c.SourceAddrs)
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 64
	}
	if c.Verify < 0 {
		c.Verify = -1
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	return nil
}

// Run performs one run. It returns an error when the run could not take
// place (bad address or token, no connection); losses are in the Result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, start: time.Now(), runID: newRunID()}
	return r.do(ctx)
}

// run is the state of one run.
type run struct {
	cfg      Config
	start    time.Time
	runID    string
	api      *client.Client
	channel  string // key
	visitors []*visitor
	agent    *agentStream
	sources  []net.IP
	rss      *rssReader

	errMu  sync.Mutex
	errors map[string]int64

	disconnects atomic.Int64
}

// now is the time since the run started, in nanoseconds (monotonic).
func (r *run) now() int64 { return int64(time.Since(r.start)) }

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.cfg.Log, "%6.1fs  "+format+"\n", append([]any{time.Since(r.start).Seconds()}, args...)...)
}

func (r *run) countError(code string) {
	r.errMu.Lock()
	if r.errors == nil {
		r.errors = map[string]int64{}
	}
	r.errors[code]++
	r.errMu.Unlock()
}

func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "lt" + hex.EncodeToString(b[:])
}

func (r *run) do(ctx context.Context) (*Result, error) {
	cfg := &r.cfg
	res := &Result{Mode: "load", Visitors: cfg.Visitors, Rate: cfg.Rate, DurationS: cfg.Duration.Seconds()}
	if cfg.Idle {
		res.Mode, res.Rate = "idle", 0
	}

	// File descriptors: one per connection, and some for the rest.
	need := uint64(cfg.Visitors) + 32
	limit, err := raiseFileLimit()
	res.OpenFilesLimit = limit
	if err == nil && limit > 0 && limit < need {
		return nil, fmt.Errorf("the open-file limit of this process is %d, and %d connections need about %d: raise the hard limit (ulimit -Hn) or split the visitors over several processes",
			limit, cfg.Visitors, need)
	}
	if !cfg.Idle && cfg.Rate/float64(cfg.Visitors) > serverRefill {
		budget := float64(cfg.Visitors) * (serverBurst + serverRefill*cfg.Duration.Seconds())
		if cfg.Rate*cfg.Duration.Seconds() > budget {
			r.logf("note: %.1f messages/s per visitor for %v exceeds the server's visitor limit (burst %d, then %.0f/s): expect rate_limited refusals; use more visitors",
				cfg.Rate/float64(cfg.Visitors), cfg.Duration, serverBurst, serverRefill)
		}
	}

	r.api = client.New(cfg.URL, client.WithToken(cfg.Token), client.WithHTTPClient(cfg.HTTPClient), client.WithUserAgent("switchboard-bench"))
	r.rss = newRSSReader(cfg.URL, cfg.PID, cfg.HTTPClient)
	r.sources = sourceAddrs(cfg.URL, cfg.SourceAddrs, cfg.Visitors+1)
	res.SourceAddrsUsed = len(r.sources)

	setupCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	ch, err := r.api.CreateChannel(setupCtx, client.ChannelInput{Name: "Load test " + r.runID})
	cancel()
	if err != nil {
		return nil, fmt.Errorf("create a website channel through the REST API: %w", err)
	}
	r.channel = ch.Key
	r.logf("run %s: channel %q on %s", r.runID, ch.Name, cfg.URL)

	if s, ok := r.rss.read(ctx); ok {
		res.RSSStartMB, res.RSSSource = ptr(round3(s.rssMB)), s.source
	}

	if !cfg.Idle {
		r.agent = &agentStream{r: r}
		if err := r.agent.connect(ctx, false); err != nil {
			return nil, fmt.Errorf("open the agent stream: %w", err)
		}
		defer r.agent.close()
	}

	// Connect the visitors.
	connectStart := time.Now()
	r.logf("opening %d visitor connections (%d at a time, %d source address(es))", cfg.Visitors, cfg.Concurrency, max(1, len(r.sources)))
	res.ConnectErrors = r.connectVisitors(ctx)
	res.ConnectS = round3(time.Since(connectStart).Seconds())
	defer r.closeVisitors()
	open := r.openVisitors()
	r.logf("%d visitors connected in %.1f s (%d failed)", len(open), res.ConnectS, res.ConnectErrors)
	if len(open) == 0 {
		return nil, errors.New("no visitor connection could be opened")
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// The measured phase, with the server's memory and CPU sampled.
	sampler := r.rss.sample(ctx, time.Second)
	cpu0, _ := r.rss.cpu(ctx)
	bcpu0 := processCPU()
	var endSend int64
	if cfg.Idle {
		r.logf("holding %d connections for %v", len(open), cfg.Duration)
		r.hold(ctx, cfg.Duration)
		endSend = r.now()
	} else {
		if cfg.Warmup {
			res.Warmup = true
			if err := r.warmup(ctx, open); err != nil {
				return nil, err
			}
		}
		r.logf("sending %.0f messages/s over %d visitors for %v", cfg.Rate, len(open), cfg.Duration)
		lags := r.send(ctx, open, res)
		res.SendLagP99Ms = percentileMs(lags, 0.99)
		endSend = r.now()
	}
	if cpu1, ok := r.rss.cpu(ctx); ok && cpu0 >= 0 {
		res.ServerCPUS = ptr(round3(cpu1 - cpu0))
	}
	res.BenchCPUS = round3(processCPU() - bcpu0)
	peak := sampler.stop()
	if peak.rssMB > 0 {
		res.RSSMB, res.RSSSource = ptr(round3(peak.rssMB)), peak.source
	}
	res.Connections = len(r.openVisitors())
	if cfg.Idle {
		if res.RSSMB != nil && res.RSSStartMB != nil && res.Connections > 0 {
			res.KBPerConn = ptr(round3((*res.RSSMB - *res.RSSStartMB) * 1024 / float64(res.Connections)))
		}
		res.Disconnects = r.disconnects.Load()
		r.logf("held %d connections; server RSS %s (start %s)", res.Connections, mb(res.RSSMB), mb(res.RSSStartMB))
		res.Errors = r.errors
		return res, nil
	}

	r.drain(ctx, cfg.Drain)
	res.Disconnects = r.disconnects.Load()
	if r.agent != nil {
		r.agent.close() // waits for a reconnect under way
		res.AgentReconnects = r.agent.reconnects
	}
	r.closeVisitors()

	if cfg.Verify >= 0 {
		vctx, cancel := context.WithTimeout(ctx, verifyTimeout)
		if err := r.verify(vctx, cfg.Verify); err != nil {
			r.logf("verification through the REST API failed: %v", err)
			cancel()
			return nil, fmt.Errorf("read the conversations back through the REST API: %w", err)
		}
		cancel()
	}
	r.tally(res, endSend)
	res.Errors = r.errors
	return res, nil
}

// hold keeps the connections open for d, reporting progress.
func (r *run) hold(ctx context.Context, d time.Duration) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	end := time.After(d)
	for {
		select {
		case <-ctx.Done():
			return
		case <-end:
			return
		case <-t.C:
			s, _ := r.rss.read(ctx)
			r.logf("holding: %d open, server RSS %.1f MB", len(r.openVisitors()), s.rssMB)
		}
	}
}

// warmup opens every visitor's conversation with one message, sent at the
// run's rate, and waits (up to a minute) for all the acks.
func (r *run) warmup(ctx context.Context, open []*visitor) error {
	r.logf("warm-up: one message per visitor to open %d conversations", len(open))
	interval := time.Duration(float64(time.Second) / r.cfg.Rate)
	t0 := time.Now()
	for i, v := range open {
		if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		frame := `{"type":"message","data":{"client_id":"` + r.runID + `w-` + strconv.Itoa(v.idx) + `","body":"load ` + r.runID + ` warm-up"}}`
		if err := v.ws.WriteString(frame); err != nil {
			v.closed.Store(true)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for {
		waiting := 0
		for _, v := range open {
			if !v.closed.Load() && !v.warm.Load() {
				waiting++
			}
		}
		if waiting == 0 {
			r.logf("warm-up done: %d conversations open", len(open))
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("warm-up: %d visitors got no ack within a minute", waiting)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send paces the messages over the visitors: several workers, each with its
// own share of the visitors and of the rate. It returns how late each
// message left compared with the schedule.
func (r *run) send(ctx context.Context, open []*visitor, res *Result) []int64 {
	cfg := &r.cfg
	workers := min(len(open), 2*runtime.GOMAXPROCS(0)+2)
	total := int64(math.Round(cfg.Rate * cfg.Duration.Seconds()))
	res.Scheduled = total
	t0 := time.Now()
	stopAt := t0.Add(cfg.Duration)
	lags := make([][]int64, workers)
	var wg sync.WaitGroup
	assigned := 0
	for w := 0; w < workers; w++ {
		var mine []*visitor
		for i := w; i < len(open); i += workers {
			mine = append(mine, open[i])
		}
		wg.Add(1)
		// Worker w sends evenly over the duration a share of the messages
		// in proportion to its visitors, so that every visitor sends at the
		// same pace.
		from := total * int64(assigned) / int64(len(open))
		assigned += len(mine)
		count := total*int64(assigned)/int64(len(open)) - from
		go func(w int, mine []*visitor, count int64) {
			defer wg.Done()
			if count == 0 {
				return
			}
			interval := time.Duration(int64(cfg.Duration) / count)
			offset := interval * time.Duration(w) / time.Duration(workers)
			l := make([]int64, 0, count)
			body := make([]byte, 0, cfg.BodySize+200)
			for k := int64(0); k < count; k++ {
				due := t0.Add(offset + time.Duration(k)*interval)
				if now := time.Now(); due.After(now) {
					if wait := due.Sub(now); wait > 200*time.Microsecond {
						select {
						case <-ctx.Done():
							lags[w] = l
							return
						case <-time.After(wait):
						}
					}
				}
				now := time.Now()
				if now.After(stopAt.Add(time.Second)) || ctx.Err() != nil {
					break // the generator fell behind: what was not sent is not counted
				}
				v := mine[int(k)%len(mine)]
				if v.closed.Load() {
					continue
				}
				l = append(l, int64(now.Sub(due)))
				body = v.sendMessage(r, body)
			}
			lags[w] = l
		}(w, mine, count)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			var all []int64
			for _, l := range lags {
				all = append(all, l...)
			}
			return all
		case <-t.C:
			s := r.snapshot()
			r.logf("sent %d, acked %d, refused %d, delivered %d", s.sent, s.acked, s.refused, s.delivered)
		}
	}
}

type progress struct{ sent, acked, refused, delivered, pending int64 }

// snapshot counts the messages in each state.
func (r *run) snapshot() progress {
	var p progress
	for _, v := range r.visitors {
		if v == nil {
			continue
		}
		v.mu.Lock()
		for i := range v.msgs {
			m := &v.msgs[i]
			p.sent++
			if m.acks > 0 {
				p.acked++
			}
			if m.refused {
				p.refused++
			}
			if m.deliveries > 0 {
				p.delivered++
			}
			if (m.acks == 0 && !m.refused) || (m.acks > 0 && m.deliveries == 0) {
				p.pending++
			}
		}
		v.mu.Unlock()
	}
	return p
}

// drain waits until every message is answered and every acked one
// delivered, or until d has passed.
func (r *run) drain(ctx context.Context, d time.Duration) {
	deadline := time.Now().Add(d)
	for {
		p := r.snapshot()
		if p.pending == 0 {
			r.logf("drained: every message answered, every acked one delivered")
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			r.logf("drain time over with %d messages unanswered or undelivered", p.pending)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tally turns the records into the result.
func (r *run) tally(res *Result, endSend int64) {
	var ack, deliver []int64
	var perSecond [][]int64
	var firstSend, lastAck int64 = math.MaxInt64, 0
	for _, v := range r.visitors {
		if v != nil && len(v.msgs) > 0 {
			firstSend = min(firstSend, v.msgs[0].sentAt)
		}
	}
	for _, v := range r.visitors {
		if v == nil {
			continue
		}
		v.mu.Lock()
		var lastSeq int64
		for i := range v.msgs {
			m := &v.msgs[i]
			res.Sent++
			firstSend = min(firstSend, m.sentAt)
			if m.refused && m.acks == 0 {
				res.Refused++
			}
			if m.acks == 0 {
				if !m.refused {
					res.Unacked++
				}
				continue
			}
			res.Acked++
			lastAck = max(lastAck, m.ackAt)
			ack = append(ack, m.ackAt-m.sentAt)
			sec := int((m.sentAt - firstSend) / 1e9)
			for len(perSecond) <= sec {
				perSecond = append(perSecond, nil)
			}
			perSecond[sec] = append(perSecond[sec], m.ackAt-m.sentAt)
			if m.deliveries > 0 {
				deliver = append(deliver, m.deliverAt-m.sentAt)
			}
			lost := false
			if m.deliveries == 0 {
				res.Undelivered++
				lost = true
			}
			if m.verified && m.stored == 0 {
				res.NotStored++
				lost = true
			}
			if lost {
				res.Lost++
			}
			if m.acks > 1 || m.deliveries > 1 || m.stored > 1 {
				res.Duplicated++
			}
			if m.verified {
				res.Verified++
			}
			// Send order against seq order, and the stored seq against the acked one.
			if m.seq <= lastSeq || m.seqMismatch || m.storedOutOfOrder {
				res.OutOfOrder++
			}
			lastSeq = max(lastSeq, m.seq)
			if m.redelivered > 0 {
				res.Redelivered += int64(m.redelivered)
			}
		}
		v.mu.Unlock()
	}
	if r.agent != nil {
		res.AgentOutOfOrder = r.agent.outOfOrder.Load()
		if res.AgentReconnects == 0 {
			// Without a reconnect, every delivery is live and must come in seq order.
			res.OutOfOrder += res.AgentOutOfOrder
		}
	}
	if res.Acked > 0 {
		window := float64(lastAck-firstSend) / 1e9
		if w := float64(endSend-firstSend) / 1e9; w > window {
			window = w
		}
		if window > 0 {
			res.MsgsPerS = round3(float64(res.Acked) / window)
		}
	}
	res.AckP50Ms, res.AckP99Ms, res.AckMaxMs = percentileMs(ack, 0.5), percentileMs(ack, 0.99), percentileMs(ack, 1)
	for _, s := range perSecond {
		res.AckP99PerSecond = append(res.AckP99PerSecond, percentileMs(s, 0.99))
	}
	res.DeliverP50Ms, res.DeliverP99Ms, res.DeliverMaxMs = percentileMs(deliver, 0.5), percentileMs(deliver, 0.99), percentileMs(deliver, 1)
}

// percentileMs returns the q-quantile of durations in nanoseconds, in
// milliseconds (nearest rank); 0 for none.
func percentileMs(ns []int64, q float64) float64 {
	if len(ns) == 0 {
		return 0
	}
	s := append([]int64(nil), ns...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(math.Ceil(q*float64(len(s)))) - 1
	i = max(0, min(i, len(s)-1))
	return round3(float64(s[i]) / 1e6)
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

func ptr[T any](v T) *T { return &v }

func mb(p *float64) string {
	if p == nil {
		return "unknown"
	}
	return strconv.FormatFloat(*p, 'f', 1, 64) + " MB"
}

// sourceAddrs picks loopback source addresses when the server is on
// 127.0.0.0/8, n of them (0: one per 5,000 connections, at least 4).
func sourceAddrs(rawURL string, n, conns int) []net.IP {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	host := u.Hostname()
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return nil
	}
	ip4 := ips[0].To4()
	for _, ip := range ips {
		if ip.To4() != nil {
			ip4 = ip.To4()
			break
		}
	}
	if ip4 == nil || ip4[0] != 127 {
		return nil
	}
	if n == 0 {
		n = max(4, conns/5000+1)
	}
	out := make([]net.IP, n)
	for i := range out {
		out[i] = net.IPv4(127, 0, 0, byte(1+i)).To4()
	}
	return out
}
