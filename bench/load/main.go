// Command load sends a bounded number of GET requests with a fixed number
// of concurrent clients to pages of a server on this machine and prints
// latency percentiles. It refuses any host but loopback. With -login it
// signs in first and loads the pages as that user, whose pages are never
// cached.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server to load (loopback only)")
	clients := flag.Int("c", 200, "concurrent clients")
	total := flag.Int("n", 20000, "requests per page")
	limit := flag.Duration("max", 2*time.Minute, "stop after this long whatever is left")
	timeout := flag.Duration("timeout", 30*time.Second, "give up on one request after this long (counted as an error)")
	gz := flag.Bool("gzip", false, "ask for gzip (Accept-Encoding) and read the compressed bytes as they come, without spending the shared cores on decompressing them")
	warm := flag.Bool("warm", false, "request each page once before measuring it, and report that first (uncached) time apart")
	login := flag.String("login", "", "sign in as EMAIL:PASSWORD and load the pages as that user (a password-only account: no second factor)")
	sessions := flag.Int("sessions", 5, "with -login, how many sessions to open and share among the clients, as people signed in on several browsers (the server allows 10 sign-ins a minute from one address)")
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
	client := &http.Client{Transport: tr, Timeout: *timeout,
		// A sign-in answers 303; its cookie is read, not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if *login != "" {
		email, password, ok := strings.Cut(*login, ":")
		if !ok || *sessions < 1 {
			fmt.Fprintln(os.Stderr, "load: -login EMAIL:PASSWORD, -sessions at least 1")
			os.Exit(2)
		}
		for range *sessions {
			c, err := signIn(client, *base, email, password)
			if err != nil {
				fmt.Fprintln(os.Stderr, "load:", err)
				os.Exit(1)
			}
			cookies = append(cookies, c)
		}
		fmt.Printf("signed in as %s: %d sessions shared round-robin by the clients\n\n", email, len(cookies))
	}
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

var (
	acceptGzip bool
	// cookies are the signed-in sessions' Cookie headers; empty when
	// the pages are loaded anonymously.
	cookies []string
	next    int
	nextMu  sync.Mutex
)

func get(c *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	if acceptGzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	if len(cookies) > 0 {
		nextMu.Lock()
		req.Header.Set("Cookie", cookies[next%len(cookies)])
		next++
		nextMu.Unlock()
	}
	return c.Do(req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in as a browser does: the form's CSRF cookie and field,
// then the posted password. It returns the Cookie header of the session,
// with the CSRF cookie so the signed-in pages need not set a new one.
func signIn(c *http.Client, base, email, password string) (string, error) {
	res, err := c.Get(base + "/login")
	if err != nil {
		return "", fmt.Errorf("sign-in form: %w", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfInput.FindSubmatch(body)
	var csrf *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "aftermath_csrf" {
			csrf = ck
		}
	}
	if m == nil || csrf == nil {
		return "", fmt.Errorf("sign-in form: no CSRF token (status %d)", res.StatusCode)
	}
	form := url.Values{"email": {email}, "password": {password}, "csrf": {string(m[1])}, "next": {"/"}}
	req, err := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	res, err = c.Do(req)
	if err != nil {
		return "", fmt.Errorf("sign in: %w", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "aftermath_session" && ck.Value != "" {
			return ck.Name + "=" + ck.Value + "; " + csrf.Name + "=" + csrf.Value, nil
		}
	}
	return "", fmt.Errorf("sign in as %s: refused (status %d)", email, res.StatusCode)
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
