package aftermath

import "time"

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
