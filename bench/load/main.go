// Command load sends a bounded number of GET requests with a fixed number
// of concurrent clients to pages of a server on this machine and prints
// latency percentiles. It refuses any host but loopback.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server to load (loopback only)")
	clients := flag.Int("c", 200, "concurrent clients")
	total := flag.Int("n", 20000, "requests per page")
	limit := flag.Duration("max", 2*time.Minute, "stop after this long whatever is left")
	gz := flag.Bool("gzip", false, "ask for gzip (Accept-Encoding) and read the compressed bytes as they come, without spending the shared cores on decompressing them")
	warm := flag.Bool("warm", false, "request each page once before measuring it, and report that first (uncached) time apart")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || !loopback(u.Hostname()) {
		fmt.Fprintln(os.Stderr, "load: only 127.0.0.0/8 or ::1 may be loaded")
		os.Exit(2)
	}
	fmt.Printf("%d concurrent clients, %d requests per page, at most %s per page, gzip %v\n\n", *clients, *total, *limit, *gz)
	// The transport never decompresses: the generator shares the machine's
	// cores with the server, and time spent unzipping is not the server's.
	tr := &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients, DisableCompression: true}
	acceptGzip = *gz
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	if *warm {
		// The first request of a page renders it; the measured ones then
		// read the cache, as visitors do but for whoever comes first.
		fmt.Println("| page | first request ms |")
		fmt.Println("|---|---:|")
		for _, path := range flag.Args() {
			t := time.Now()
			res, err := get(client, *base+path)
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			fmt.Printf("| %s | %.1f |\n", path, float64(time.Since(t).Microseconds())/1000)
		}
		fmt.Println()
	}
	fmt.Println("| page | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, path := range flag.Args() {
		run(client, *base+path, path, *clients, *total, *limit)
	}
}

var acceptGzip bool

func get(c *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	if acceptGzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	return c.Do(req)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func run(c *http.Client, url, name string, clients, total int, limit time.Duration) {
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	jobs := make(chan struct{})
	stop := time.Now().Add(limit)
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				t := time.Now()
				res, err := get(c, url)
				ok := err == nil && res.StatusCode == 200
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				d := time.Since(t)
				mu.Lock()
				if ok {
					lat = append(lat, d)
				} else {
					errs++
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < total && time.Now().Before(stop); i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	if len(lat) == 0 {
		fmt.Printf("| %s | 0 | | | | | | %d |\n", name, errs)
		return
	}
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	fmt.Printf("| %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %d |\n", name, len(lat)+errs, float64(len(lat))/elapsed.Seconds(),
		pct(0.5), pct(0.95), pct(0.99), float64(lat[len(lat)-1].Microseconds())/1000, errs)
}
