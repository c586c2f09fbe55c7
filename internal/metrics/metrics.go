// Package metrics is what a serve process tells Prometheus about itself
// (GET /metrics): request latency by route, requests in flight, the page
// cache, imports and jobs, the database pools, and the Go runtime and
// process. Each server has a registry of its own, not the global default,
// so that tests can run many servers in one process. A nil *Metrics
// records nothing, so the code that feeds it needs no checks.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"aftermath"
)

// Metrics holds one server's collectors.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.HistogramVec
	inFlight   prometheus.Gauge
	cache      *prometheus.CounterVec
	importRows *prometheus.CounterVec
	imports    *prometheus.CounterVec
	jobs       *prometheus.CounterVec
	backups    *prometheus.CounterVec
	lastBackup prometheus.Gauge
}

// Pools returns the statistics of each database pool by name ("write",
// "read"); sqldb.DB.PoolStats is one.
type Pools func() map[string]sql.DBStats

// New returns the collectors on a registry of their own; pools may be nil.
func New(pools Pools) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aftermath_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern as registered and status class.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aftermath_http_requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aftermath_page_cache_requests_total",
			Help: "Anonymous page requests that the page cache answered (hit, stale) or rendered (miss).",
		}, []string{"result"}),
		importRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aftermath_import_rows_total",
			Help: "Rows of finished imports by dataset and what became of them (read, inserted, updated, unchanged, rejected).",
		}, []string{"dataset", "rows"}),
		imports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aftermath_imports_total",
			Help: "Imports run by this process, by dataset and outcome (done, failed).",
		}, []string{"dataset", "outcome"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aftermath_jobs_total",
			Help: "Background jobs queued, done and failed in this process.",
		}, []string{"state"}),
		backups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aftermath_backups_total",
			Help: "Scheduled backups this process wrote or failed to write, by outcome (done, failed).",
		}, []string{"outcome"}),
		lastBackup: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aftermath_backup_last_success_timestamp_seconds",
			Help: "When this process last wrote a scheduled backup (Unix time; 0: not yet). Alert when it grows old.",
		}),
	}
	m.reg.MustRegister(m.requests, m.inFlight, m.cache, m.importRows, m.imports, m.jobs, m.backups, m.lastBackup,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pools != nil {
		m.reg.MustRegister(poolCollector(pools))
	}
	// Every label value known in advance shows from the start, at 0, so
	// a rate over a series that has not moved yet is 0 rather than absent.
	for _, r := range []string{"hit", "stale", "miss"} {
		m.cache.WithLabelValues(r)
	}
	for _, s := range []string{"queued", "done", "failed"} {
		m.jobs.WithLabelValues(s)
	}
	for _, s := range []string{"done", "failed"} {
		m.backups.WithLabelValues(s)
	}
	return m
}

// Registry is where the collectors are registered.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler answers the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Instrument times h under route, the pattern as registered: the raw
// path would make a series of every address visited.
func (m *Metrics) Instrument(route string, h http.HandlerFunc) http.HandlerFunc {
	if m == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		defer func() {
			code := sw.status
			if code == 0 {
				code = http.StatusOK
			}
			m.requests.WithLabelValues(route, strconv.Itoa(code/100)+"xx").Observe(time.Since(start).Seconds())
		}()
		h(sw, r)
	}
}

// CachePage counts a page cache answer: "hit", "stale" or "miss".
func (m *Metrics) CachePage(result string) {
	if m != nil {
		m.cache.WithLabelValues(result).Inc()
	}
}

// JobQueued counts a job queued by this process.
func (m *Metrics) JobQueued() {
	if m != nil {
		m.jobs.WithLabelValues("queued").Inc()
	}
}

// BackupDone counts a scheduled backup written, or failed.
func (m *Metrics) BackupDone(_ int64, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.backups.WithLabelValues("failed").Inc()
		return
	}
	m.backups.WithLabelValues("done").Inc()
	m.lastBackup.SetToCurrentTime()
}

// ImportDone counts an import that ended, its rows when it succeeded, and
// its job.
func (m *Metrics) ImportDone(dataset string, c aftermath.ImportCounts, err error) {
	if m == nil {
		return
	}
	outcome := "done"
	if err != nil {
		outcome = "failed"
	}
	m.imports.WithLabelValues(dataset, outcome).Inc()
	m.jobs.WithLabelValues(outcome).Inc()
	if err != nil {
		return
	}
	for _, n := range []struct {
		rows string
		n    int64
	}{{"read", c.Read}, {"inserted", c.Inserted}, {"updated", c.Updated}, {"unchanged", c.Unchanged}, {"rejected", c.Rejected}} {
		m.importRows.WithLabelValues(dataset, n.rows).Add(float64(n.n))
	}
}

// statusWriter keeps the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushing,
// deadlines).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// StatusRecorder is a ResponseWriter that keeps the status its handler
// answered: 0 until it writes, then the status (200 unless it set one).
type StatusRecorder interface {
	http.ResponseWriter
	Status() int
}

// RecordStatus wraps w in a StatusRecorder, for wrappers that act on the
// answer's status (the page cache empties itself after a successful write).
func RecordStatus(w http.ResponseWriter) StatusRecorder { return &statusWriter{ResponseWriter: w} }

func (s *statusWriter) Status() int { return s.status }

// pools is a collector of database/sql pool statistics, read at each
// scrape.
type pools struct {
	stats                                           Pools
	open, inUse, idle, max, waits, wait, closedIdle *prometheus.Desc
}

func poolCollector(stats Pools) *pools {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("aftermath_db_"+name, help, []string{"pool"}, nil)
	}
	return &pools{stats: stats,
		open:       d("open_connections", "Connections open, in use or idle."),
		inUse:      d("in_use_connections", "Connections in use."),
		idle:       d("idle_connections", "Connections idle."),
		max:        d("max_open_connections", "The most connections the pool opens (0: no limit)."),
		waits:      d("wait_count_total", "Times a query waited for a connection."),
		wait:       d("wait_duration_seconds_total", "Time spent waiting for a connection."),
		closedIdle: d("max_idle_closed_total", "Connections closed for the idle limit."),
	}
}

func (p *pools) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.open, p.inUse, p.idle, p.max, p.waits, p.wait, p.closedIdle} {
		ch <- d
	}
}

func (p *pools) Collect(ch chan<- prometheus.Metric) {
	for name, s := range p.stats() {
		g := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, name)
		}
		c := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, name)
		}
		g(p.open, float64(s.OpenConnections))
		g(p.inUse, float64(s.InUse))
		g(p.idle, float64(s.Idle))
		g(p.max, float64(s.MaxOpenConnections))
		c(p.waits, float64(s.WaitCount))
		c(p.wait, s.WaitDuration.Seconds())
		c(p.closedIdle, float64(s.MaxIdleClosed))
	}
}
