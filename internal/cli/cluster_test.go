package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestClusterSurvivesAKilledServer runs Aftermath as docs/scaling.md says
// to in production, on this machine: a PostgreSQL primary and a streaming
// replica of it (pg_basebackup), three serve processes on the primary with
// --db-replica, and a reverse proxy in front. Under a bounded load of
// writes and anonymous reads, the server running an import is killed
// (SIGKILL). Every acknowledged write is on the primary and, once it
// caught up, on the replica; reads after the kill succeed through the
// other servers; the import is queued again and finished by another.
func TestClusterSurvivesAKilledServer(t *testing.T) {
	pg := startPrimaryAndReplica(t)
	ctx := context.Background()

	// An editor with an API token, on the migrated primary.
	db := sqldbtest.Reopen(t, pg.primary)
	u, err := db.CreateUser(ctx, sqldb.NewUser{Email: "editor@example.org", Name: "Editor", PasswordHash: "$argon2id$test", OrgSlug: "org", Role: "editor"})
	if err != nil {
		t.Fatal(err)
	}
	token, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAPIToken(ctx, u.ID, "load", auth.HashToken(token)); err != nil {
		t.Fatal(err)
	}

	uploads := filepath.Join(t.TempDir(), "uploads")
	var servers []*serveProcess
	for range 3 {
		servers = append(servers, startServe(t, "--db", pg.primary, "--db-replica", pg.replica, "--addr", "127.0.0.1:0",
			"--upload-dir", uploads, "--jobs-stale-after", "10s"))
	}
	var backends []*url.URL
	for _, s := range servers {
		backends = append(backends, s.url)
	}
	proxy := httptest.NewServer(&failoverProxy{backends: backends})
	defer proxy.Close()

	// An import queued as the upload form queues one, in the directory the
	// servers share; whichever server takes it is the one killed.
	ged := sqldbtest.SharedData(t, "ucdp/GEDEvent_v23_1_CAF.csv.zip")
	dir := filepath.Join(uploads, "job-cluster")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	upload := filepath.Join(dir, filepath.Base(ged))
	if b, err := os.ReadFile(ged); err != nil || os.WriteFile(upload, b, 0o600) != nil {
		t.Fatalf("copy %s: %v", ged, err)
	}

	// The load: writers create interventions, readers read public pages
	// anonymously, all through the proxy, until stop.
	client := &http.Client{Timeout: 20 * time.Second}
	var (
		mu       sync.Mutex
		acked    []string // slugs whose creation was answered 201
		killedAt atomic.Int64
		after    struct{ reads, readFailures, writes int }
		failures []string
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var seq atomic.Int64
	for w := range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				slug := fmt.Sprintf("load-%d-%d", w, seq.Add(1))
				body := `{"slug":"` + slug + `","name":"Load ` + slug + `","area":[{"country":"MLI"}],"phases":[{"start":"2020-01-01"}],` +
					`"instruments":[],"objectives":[],"backers":[],"partner_forces":[],"citations":[]}`
				req, _ := http.NewRequest("POST", proxy.URL+"/api/v1/interventions", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					continue // not acknowledged
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				mu.Lock()
				if res.StatusCode == http.StatusCreated {
					acked = append(acked, slug)
					if killedAt.Load() != 0 {
						after.writes++
					}
				}
				mu.Unlock()
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				path := []string{"/", "/interventions", "/api/v1/interventions", "/events"}[i%4]
				killed := killedAt.Load() != 0
				res, err := client.Get(proxy.URL + path)
				ok := err == nil && res.StatusCode == http.StatusOK
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if killed {
					mu.Lock()
					after.reads++
					if !ok {
						after.readFailures++
						failures = append(failures, fmt.Sprint(path, " ", err, " ", res))
					}
					mu.Unlock()
				}
			}
		})
	}

	// The events table is locked against writes until the kill, so the
	// import is surely in the middle when its server dies (it still beats
	// its heartbeat, as a slow import does); reads go on.
	lockDB, err := sql.Open("pgx", pg.primary)
	if err != nil {
		t.Fatal(err)
	}
	defer lockDB.Close()
	lock, err := lockDB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.ExecContext(ctx, `LOCK TABLE events IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	j := &sqldb.Job{Dataset: "ucdp", FilePath: upload, FileName: filepath.Base(upload)}
	if err := db.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	var victim *serveProcess
	deadline := time.Now().Add(20 * time.Second)
	for victim == nil && time.Now().Before(deadline) {
		var state, by string
		if err := pg.query(pg.primary, `SELECT state, claimed_by FROM jobs WHERE id = $1`, []any{j.ID}, &state, &by); err != nil {
			t.Fatal(err)
		}
		if state != "queued" && state != "running" {
			t.Fatalf("the import ended (%s) with the events table locked", state)
		}
		for _, s := range servers {
			if state == "running" && strings.HasSuffix(by, ":"+strconv.Itoa(s.cmd.Process.Pid)) {
				victim = s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if victim == nil {
		t.Fatal("no server took the import within 20 s")
	}
	time.Sleep(300 * time.Millisecond) // mid-load
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killedAt.Store(time.Now().UnixNano())
	victim.cmd.Wait()
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(acked) == 0 || after.writes == 0 {
		t.Errorf("%d writes acknowledged, %d after the kill: the load did not run through it", len(acked), after.writes)
	}
	if after.reads == 0 || after.readFailures > 0 {
		t.Errorf("after the kill %d of %d reads failed:\n%s", after.readFailures, after.reads, strings.Join(failures, "\n"))
	}
	for name, dsn := range map[string]string{"primary": pg.primary, "replica": pg.replica} {
		var missing []string
		for wait := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if missing = pg.missing(t, dsn, acked); len(missing) == 0 || name == "primary" || time.Now().After(wait) {
				break
			}
		}
		if len(missing) > 0 {
			t.Errorf("%d of %d acknowledged writes are not on the %s: %v", len(missing), len(acked), name, missing)
		}
	}

	// The import whose server died is queued again and finished by another.
	var state, by, summary string
	var restarts int
	for wait := time.Now().Add(60 * time.Second); time.Now().Before(wait); time.Sleep(200 * time.Millisecond) {
		if err := pg.query(pg.primary, `SELECT state, claimed_by, summary, restarts FROM jobs WHERE id = $1`, []any{j.ID}, &state, &by, &summary, &restarts); err != nil {
			t.Fatal(err)
		}
		if state == "done" || state == "failed" {
			break
		}
	}
	// The killed server's import rolled back with its connection: the
	// events are the finishing run's, once.
	var events int
	if err := pg.query(pg.primary, `SELECT count(*) FROM events`, nil, &events); err != nil {
		t.Fatal(err)
	}
	if state != "done" || restarts != 1 || strings.HasSuffix(by, ":"+strconv.Itoa(victim.cmd.Process.Pid)) ||
		events == 0 || !strings.Contains(summary, fmt.Sprintf("inserted %d,", events)) {
		t.Errorf("the killed server's import: state %s, restarts %d, last taken by %s (killed: pid %d), %q, %d events", state, restarts, by, victim.cmd.Process.Pid, summary, events)
	}

	// The servers read from the replica: they hold connections there.
	var onReplica int
	if err := pg.query(pg.replica, `SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`, nil, &onReplica); err != nil {
		t.Fatal(err)
	}
	if onReplica == 0 {
		t.Error("no server holds a connection on the replica")
	}
	t.Logf("%d writes acknowledged (%d after the kill), %d reads after the kill, %d connections on the replica",
		len(acked), after.writes, after.reads, onReplica)
}

// failoverProxy spreads requests over the backends in turn. A backend that
// refuses connections is dropped; a request that could not be sent, or an
// idempotent one whose backend failed, goes to the next.
type failoverProxy struct {
	backends []*url.URL
	next     atomic.Int64
	mu       sync.Mutex
	dead     map[string]bool
}

func (p *failoverProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	idempotent := r.Method == "GET" || r.Method == "HEAD"
	start := int(p.next.Add(1))
	var lastErr error
	for i := range p.backends {
		b := p.backends[(start+i)%len(p.backends)]
		p.mu.Lock()
		dead := p.dead[b.Host]
		p.mu.Unlock()
		if dead {
			continue
		}
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, b.String()+r.URL.RequestURI(), bytes.NewReader(body))
		out.Header = r.Header.Clone()
		res, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			lastErr = err
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				p.mu.Lock()
				if p.dead == nil {
					p.dead = map[string]bool{}
				}
				p.dead[b.Host] = true
				p.mu.Unlock()
				continue // never reached the backend: safe to send elsewhere
			}
			if idempotent {
				continue
			}
			break
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		io.Copy(w, res.Body)
		return
	}
	http.Error(w, fmt.Sprint("no backend answered: ", lastErr), http.StatusBadGateway)
}

// serveProcess is an `aftermath serve` in a process of its own.
type serveProcess struct {
	cmd *exec.Cmd
	url *url.URL
	out *syncBuffer
}

var servingRE = regexp.MustCompile(`serving .* on (http://127\.0\.0\.1:\d+)`)

// startServe starts serve (the test binary as the command) and waits for
// it to listen; it is killed when the test ends.
func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "AFTERMATH_CLI_CHILD="+strings.Join(append([]string{"serve"}, args...), "\x1f"), "AFTERMATH_DB=", "AFTERMATH_KEY_FILE=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, out: &syncBuffer{}}
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(p.out, sc.Text())
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		p.url, _ = url.Parse(u)
	case <-time.After(40 * time.Second):
		t.Fatalf("serve did not start:\n%s", p.out)
	}
	return p
}

// pgPair is a PostgreSQL primary and its streaming replica, each a
// cluster of its own on a free loopback port, removed when the test ends.
type pgPair struct{ primary, replica string }

// startPrimaryAndReplica creates the clusters: initdb, then pg_basebackup
// -R of the running primary into the replica's directory. Without the
// PostgreSQL server programs it skips, or fails under CI.
func startPrimaryAndReplica(t *testing.T) *pgPair {
	t.Helper()
	missing := func(what string) {
		if os.Getenv("CI") != "" {
			t.Fatalf("the cluster test needs %s (.ci/run installs postgresql)", what)
		}
		t.Skipf("no %s; skipping the cluster test", what)
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		missing("PostgreSQL's initdb in /usr/lib/postgresql/*/bin")
	}
	sort.Slice(bins, func(i, j int) bool { return pgMajor(bins[i]) < pgMajor(bins[j]) })
	bin := filepath.Dir(bins[len(bins)-1])
	// PostgreSQL refuses to run as root: as root, run it as postgres in a
	// directory postgres owns.
	var as []string
	dir, err := os.MkdirTemp("", "aftermath-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		pgUser, err := user.Lookup("postgres")
		if err != nil {
			missing("a postgres user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(pgUser.Uid)
		gid, _ := strconv.Atoi(pgUser.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			missing("runuser")
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	sh := func(name string, args ...string) {
		t.Helper()
		argv := append(append(as, filepath.Join(bin, name)), args...)
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
	}
	primaryDir, replicaDir := filepath.Join(dir, "primary"), filepath.Join(dir, "replica")
	pPort, rPort := freePort(t), freePort(t)
	opts := func(port int) string {
		// fsync off: a test cluster, thrown away after.
		return fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_wal_senders=4", port, dir)
	}
	// The default pg_hba.conf of initdb -A trust lets 127.0.0.1 replicate.
	sh("initdb", "-D", primaryDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
	sh("pg_ctl", "-D", primaryDir, "-l", filepath.Join(dir, "primary.log"), "-o", opts(pPort), "-w", "-t", "30", "start")
	t.Cleanup(func() {
		argv := append(append(as, filepath.Join(bin, "pg_ctl")), "-D", primaryDir, "-m", "immediate", "stop")
		exec.Command(argv[0], argv[1:]...).Run()
	})
	sh("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(pPort), "-U", "postgres", "-D", replicaDir, "-R", "-X", "stream", "-c", "fast", "--no-sync")
	sh("pg_ctl", "-D", replicaDir, "-l", filepath.Join(dir, "replica.log"), "-o", opts(rPort), "-w", "-t", "30", "start")
	t.Cleanup(func() {
		argv := append(append(as, filepath.Join(bin, "pg_ctl")), "-D", replicaDir, "-m", "immediate", "stop")
		exec.Command(argv[0], argv[1:]...).Run()
	})
	dsn := func(port int) string {
		return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	}
	pg := &pgPair{primary: dsn(pPort), replica: dsn(rPort)}
	var inRecovery bool
	if err := pg.query(pg.replica, `SELECT pg_is_in_recovery()`, nil, &inRecovery); err != nil || !inRecovery {
		t.Fatalf("the replica is not a standby: %v %v", inRecovery, err)
	}
	return pg
}

func pgMajor(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// query runs one query on dsn and scans its one row.
func (pg *pgPair) query(dsn, q string, args []any, dest ...any) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRowContext(context.Background(), q, args...).Scan(dest...)
}

// missing returns the slugs no intervention on dsn has.
func (pg *pgPair) missing(t *testing.T, dsn string, slugs []string) []string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	have := map[string]bool{}
	rows, err := db.QueryContext(context.Background(), `SELECT slug FROM interventions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		have[s] = true
	}
	var out []string
	for _, s := range slugs {
		if !have[s] {
			out = append(out, s)
		}
	}
	return out
}
