package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

func TestPurgerRunsDaily(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		kek, _ := vault.GenerateKEK()
		org, err := db.CreateUser(ctx, sqldb.NewUser{Email: "a@example.org", Name: "A", PasswordHash: "$argon2id$x", OrgSlug: "hub", Role: aftermath.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Voices(kek).CreateTestimony(ctx, aftermath.System, &aftermath.TestimonyInput{
			Date: "2024", Country: "NER", OwnerOrgID: org.Memberships[0].OrgID, Language: "fr", Body: "Court terme.",
			Consent:  &aftermath.Consent{Level: aftermath.ConsentInternal, Method: aftermath.ConsentOral, RecordedBy: "X", RecordedAt: "2024-01-01"},
			Audience: aftermath.AudienceInternal, RetainUntil: "2030-01-01",
		})
		if err != nil {
			t.Fatal(err)
		}
		// The clock moves past the retention date while the purger runs.
		var now atomicTime
		now.set(time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
		db.Now = now.get
		p := &jobs.Purger{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Every: 10 * time.Millisecond, Now: now.get}
		done := make(chan struct{})
		go func() { p.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		time.Sleep(30 * time.Millisecond)
		if list, _ := db.Testimonies(ctx, aftermath.System, sqldb.TestimonyFilter{}); len(list) != 1 {
			t.Fatalf("purged early: %d left", len(list))
		}
		now.set(time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC))
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if list, _ := db.Testimonies(ctx, aftermath.System, sqldb.TestimonyFilter{}); len(list) == 0 {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Error("the purger did not purge")
	})
}

type atomicTime struct{ v atomic.Int64 }

func (a *atomicTime) set(t time.Time) { a.v.Store(t.UnixNano()) }
func (a *atomicTime) get() time.Time  { return time.Unix(0, a.v.Load()).UTC() }
