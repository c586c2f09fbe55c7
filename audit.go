package aftermath

import (
	"context"
	"time"
)

// Audit actions.
const (
	AuditCreate           = "create"
	AuditUpdate           = "update"
	AuditDelete           = "delete"
	AuditExport           = "export"
	AuditReadConfidential = "read-confidential"
	AuditReview           = "review"
	AuditPurge            = "purge"
	AuditKeyRotate        = "key-rotate"
)

// AuditActions lists the actions an entry may record.
var AuditActions = []string{AuditCreate, AuditUpdate, AuditDelete, AuditExport, AuditReadConfidential, AuditReview, AuditPurge, AuditKeyRotate}

// AuditEntry is one line of the tamper-evident audit log. Detail says
// what happened in words and ids, never the confidential content itself.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id,omitempty"` // 0: the system (command line, jobs)
	Action     string    `json:"action"`
	RecordType string    `json:"record_type,omitempty"`
	RecordID   int64     `json:"record_id,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// AuditBreak is the first entry where the chain does not hold.
type AuditBreak struct {
	ID     int64
	Reason string
}

// AuditReport is what AuditVerify found.
type AuditReport struct {
	Entries int64
	Head    string      // hash of the last entry ("" for an empty log)
	Break   *AuditBreak // nil when the chain is intact
	// Missing lists the heads given to AuditVerify that no entry has: the
	// log was cut back or rewritten since they were noted.
	Missing []string
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	RecordType string
	RecordID   int64
	Action     string
	ActorID    int64
	Before     int64 // entries with smaller ids only (paging); 0: from the newest
	Limit      int   // default 100, at most 1000
}

// Audit reads the tamper-evident log. Entries go in with the change they
// record, inside each service; AuditExport records a download.
type Audit interface {
	// AuditEntries: for an admin, their organisations' entries;
	// EFORBIDDEN for anyone else.
	AuditEntries(ctx context.Context, v Viewer, f AuditFilter) ([]AuditEntry, error)
	AuditExport(ctx context.Context, v Viewer, recordType string, id int64, detail string) error
	// VerifyAudit walks the whole chain; heads are hashes noted earlier.
	// It reads every entry, so only the system and admins may
	// (EFORBIDDEN otherwise).
	VerifyAudit(ctx context.Context, v Viewer, heads ...string) (*AuditReport, error)
}
