// Package metrics exposes Prometheus metrics: HTTP requests by route and
// status, request latency, database pool use, and the Go runtime.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's registry.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// PoolStats reports database pool statistics (writer and reader).
type PoolStats func() (write, read sql.DBStats)

// New makes the registry with the runtime and process collectors, and the
// database pool collector when stats is not nil.
func New(stats PoolStats) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "switchboard_http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "switchboard_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if stats != nil {
		m.reg.MustRegister(poolCollector{stats})
	}
	return m
}

// Observe records one finished request. route is the ServeMux pattern, or
// "unmatched", never the raw path (which would explode the label set).
func (m *Metrics) Observe(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is the registry, for other packages' collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

var (
	poolOpen  = prometheus.NewDesc("switchboard_db_connections_open", "Open database connections by pool.", []string{"pool"}, nil)
	poolInUse = prometheus.NewDesc("switchboard_db_connections_in_use", "Database connections in use by pool.", []string{"pool"}, nil)
	poolIdle  = prometheus.NewDesc("switchboard_db_connections_idle", "Idle database connections by pool.", []string{"pool"}, nil)
	poolWait  = prometheus.NewDesc("switchboard_db_wait_count_total", "Waits for a database connection by pool.", []string{"pool"}, nil)
	poolWaitS = prometheus.NewDesc("switchboard_db_wait_seconds_total", "Time spent waiting for a database connection by pool.", []string{"pool"}, nil)
)

type poolCollector struct{ stats PoolStats }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolOpen, poolInUse, poolIdle, poolWait, poolWaitS} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	w, r := c.stats()
	for _, p := range []struct {
		name string
		s    sql.DBStats
	}{{"write", w}, {"read", r}} {
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(p.s.OpenConnections), p.name)
		ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(p.s.InUse), p.name)
		ch <- prometheus.MustNewConstMetric(poolIdle, prometheus.GaugeValue, float64(p.s.Idle), p.name)
		ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, float64(p.s.WaitCount), p.name)
		ch <- prometheus.MustNewConstMetric(poolWaitS, prometheus.CounterValue, p.s.WaitDuration.Seconds(), p.name)
	}
}
