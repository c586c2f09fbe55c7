// Command impact measures the latency of the impact API over a large event
// store: it serves the real handler on 127.0.0.1 and sends a bounded number
// of sequential requests per method, then prints percentiles.
package main

import (
	"aftermath"

	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath/internal/sqldb"
	"aftermath/internal/web"
	"aftermath/internal/web/api"
)

func main() {
	dsn := flag.String("db", "", "database with imported events and the seeded catalog")
	slug := flag.String("intervention", "minusma", "intervention to analyse")
	n := flag.Int("requests", 50, "requests per method")
	flag.Parse()
	if err := run(*dsn, *slug, *n); err != nil {
		fmt.Fprintln(os.Stderr, "impact:", err)
		os.Exit(1)
	}
}

func run(dsn, slug string, n int) error {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	iv, err := db.FindIntervention(ctx, aftermath.System, slug)
	if err != nil {
		return err
	}
	counts, err := db.Counts(ctx)
	if err != nil {
		return err
	}
	srv, err := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	api.Register(srv.Server)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	fmt.Printf("%d events; intervention %s (%d); %d sequential requests per method after one warm-up\n\n", counts["events"], slug, iv.ID, n)
	fmt.Println("| request | first ms | p50 ms | p95 ms | p99 ms | max ms |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	api := fmt.Sprintf("/api/v1/interventions/%d", iv.ID)
	for _, q := range []string{"/impact?method=summary", "/impact?method=its", "/impact?method=summary&outcome=deaths_civilians",
		"/impact?method=synth", "/impact?method=synth&placebos=true", "/impact?method=summary&side_by_side=true", "/harm", "/series?by=month",
		"page"} {
		url := ts.URL + api + q
		if q == "page" {
			// The intervention page as a signed-in reader gets it: never
			// from the page cache (a fresh query string each time).
			url, q = ts.URL+"/interventions/"+slug+"?r=", "/interventions/"+slug+" (uncached)"
		}
		var lat []time.Duration
		var first time.Duration
		for i := 0; i <= n; i++ {
			start := time.Now()
			u := url
			if strings.HasSuffix(u, "?r=") {
				u += strconv.Itoa(i)
			}
			res, err := http.Get(u)
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				return fmt.Errorf("%s: %d %s", q, res.StatusCode, body)
			}
			if i == 0 { // the first request warms caches; it is shown apart
				first = time.Since(start)
			} else {
				lat = append(lat, time.Since(start))
			}
		}
		slices.Sort(lat)
		pct := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
		}
		fmt.Printf("| %s | %.1f | %.1f | %.1f | %.1f | %.1f |\n", q, float64(first.Microseconds())/1000, pct(0.5), pct(0.95), pct(0.99), float64(lat[len(lat)-1].Microseconds())/1000)
	}
	return nil
}
