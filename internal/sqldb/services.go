package sqldb

import (
	"time"

	"aftermath"
	"aftermath/internal/consult"
)

// The services this storage implements. Callers (web, jobs, the command
// line's handlers) hold these interfaces, never a *DB: only cli's wiring
// opens one.
var (
	_ aftermath.Events         = (*DB)(nil)
	_ aftermath.Interventions  = (*DB)(nil)
	_ aftermath.EventFigures   = (*DB)(nil)
	_ aftermath.Ledger         = (*DB)(nil)
	_ aftermath.LedgerViews    = (*DB)(nil)
	_ aftermath.Sources        = (*DB)(nil)
	_ aftermath.TestimonyIndex = (*DB)(nil)
	_ aftermath.Audit          = (*DB)(nil)
	_ aftermath.Sessions       = (*DB)(nil)
	_ aftermath.Jobs           = (*DB)(nil)
	_ aftermath.Generations    = (*DB)(nil)
	_ aftermath.Briefs         = (*DB)(nil)
	_ aftermath.Site           = (*DB)(nil)
	_ consult.Service          = (*DB)(nil)

	_ aftermath.Testimonies = (*Voices)(nil)
	_ consult.Responses     = (*Voices)(nil)
)

// AccountStore is the account store without a key: second factors cannot
// be enrolled through it (Voices.AccountStore can).
func (db *DB) AccountStore() aftermath.AccountStore { return db.Accounts(nil) }

// AccountStore is the account store holding the key, which seals TOTP
// secrets.
func (s *Voices) AccountStore() aftermath.AccountStore { return s.Accounts() }

// CurrentTime is the store's clock (DB.Now), which tests set.
func (db *DB) CurrentTime() time.Time { return db.Now() }
