package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"aftermath"
	"aftermath/internal/scrub"
	"aftermath/internal/vault"
)

// An attachment's fields are sealed under the testimony's data key with
// field names of their own ("attachment N …"), so that a ciphertext of
// one attachment cannot stand in for another's.
func attField(attID int64, what string) string {
	return "attachment " + strconv.FormatInt(attID, 10) + " " + what
}

type attachmentMeta struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// MaxAttachment bounds one attached file.
const MaxAttachment = aftermath.MaxAttachment

// AddAttachment removes the file's metadata (internal/scrub), records
// the SHA-256 of what remains and stores it sealed with the testimony's
// data key. Those who may edit or review the testimony may attach; a
// kind of file whose metadata cannot be removed for certain is refused.
func (s *Voices) AddAttachment(ctx context.Context, v aftermath.Viewer, id int64, name string, data []byte) (*aftermath.Attachment, error) {
	if s.kek == nil {
		return nil, errNoKey
	}
	if len(data) > MaxAttachment {
		return nil, aftermath.FieldError("attachment", "%s is larger than %d MB", name, MaxAttachment>>20)
	}
	kind, clean, err := scrub.File(data)
	if err != nil {
		return nil, aftermath.FieldError("attachment", "%s: %v", name, err)
	}
	sum := sha256.Sum256(clean)
	a := &aftermath.Attachment{TestimonyID: id, Name: name, MediaType: kind, Size: int64(len(clean)), SHA256: hex.EncodeToString(sum[:])}
	db := s.db
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		t, _, err := db.loadTestimony(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		if !t.Can.Edit && !t.Can.Review {
			return forbidden("you may not add to testimony %d", id)
		}
		dk, err := db.dataKey(ctx, tx, s.kek, rtTestimony, id)
		if err != nil {
			return err
		}
		defer dk.Destroy()
		now := db.Now()
		// The row is made first for its id, which the sealing binds.
		if err := tx.QueryRowContext(ctx, db.rebind(`INSERT INTO testimony_attachments (testimony_id, media_type, size, meta, content, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), id, kind, a.Size, []byte{}, []byte{}, nullID(v.UserID), now.Format(time.RFC3339)).Scan(&a.ID); err != nil {
			return fmt.Errorf("add attachment: %w", err)
		}
		meta, err := seal(dk, rtTestimony, id, attField(a.ID, "meta"), attachmentMeta{Name: name, SHA256: a.SHA256})
		if err != nil {
			return err
		}
		content, err := dk.Seal(clean, vault.FieldAD(rtTestimony, id, attField(a.ID, "content")))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE testimony_attachments SET meta = ?, content = ? WHERE id = ?`), meta, content, a.ID); err != nil {
			return err
		}
		a.CreatedAt = now
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditCreate, RecordType: rtTestimony, RecordID: id,
			Detail: "attachment " + strconv.FormatInt(a.ID, 10) + " added, metadata removed, sha256 recorded"})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Attachments lists a testimony's attachments (without content) for
// those who read its original. Listing opens no content and is not
// audited; reading one is.
func (s *Voices) Attachments(ctx context.Context, v aftermath.Viewer, id int64) ([]aftermath.Attachment, error) {
	db := s.db
	t, _, err := db.loadTestimony(ctx, db.read, v, id, false)
	if err != nil {
		return nil, err
	}
	if !t.Can.ReadOriginal {
		return nil, forbidden("only those who read testimony %d's original see its attachments", id)
	}
	type row struct {
		a    aftermath.Attachment
		meta []byte
		at   string
	}
	var rows []row
	err = db.each(ctx, `SELECT id, media_type, size, meta, created_at FROM testimony_attachments WHERE testimony_id = ? ORDER BY id`, []any{id},
		func(r *sql.Rows) error {
			var x row
			err := r.Scan(&x.a.ID, &x.a.MediaType, &x.a.Size, &x.meta, &x.at)
			rows = append(rows, x)
			return err
		})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	dk, err := db.dataKey(ctx, db.read, s.kek, rtTestimony, id)
	if err != nil {
		return nil, err
	}
	defer dk.Destroy()
	out := make([]aftermath.Attachment, len(rows))
	for i, x := range rows {
		var m attachmentMeta
		if err := unseal(dk, rtTestimony, id, attField(x.a.ID, "meta"), x.meta, &m); err != nil {
			return nil, err
		}
		out[i] = x.a
		out[i].TestimonyID, out[i].Name, out[i].SHA256 = id, m.Name, m.SHA256
		out[i].CreatedAt, _ = time.Parse(time.RFC3339, x.at)
	}
	return out, nil
}

// AttachmentContent opens one attachment for those who read the
// testimony's original; the read is recorded in the audit log.
func (s *Voices) AttachmentContent(ctx context.Context, v aftermath.Viewer, id, attID int64) (*aftermath.Attachment, []byte, error) {
	list, err := s.Attachments(ctx, v, id)
	if err != nil {
		return nil, nil, err
	}
	var a *aftermath.Attachment
	for i := range list {
		if list[i].ID == attID {
			a = &list[i]
		}
	}
	if a == nil {
		return nil, nil, aftermath.Errorf(aftermath.ENOTFOUND, "testimony %d has no attachment %d", id, attID)
	}
	db := s.db
	var content []byte
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var sealed []byte
		if err := tx.QueryRowContext(ctx, db.rebind(`SELECT content FROM testimony_attachments WHERE id = ? AND testimony_id = ?`), attID, id).Scan(&sealed); err != nil {
			return err
		}
		dk, err := db.dataKey(ctx, tx, s.kek, rtTestimony, id)
		if err != nil {
			return err
		}
		defer dk.Destroy()
		if content, err = dk.Open(sealed, vault.FieldAD(rtTestimony, id, attField(attID, "content"))); err != nil {
			return fmt.Errorf("attachment %d: %w", attID, err)
		}
		return db.appendAudit(ctx, tx, &aftermath.AuditEntry{ActorID: v.UserID, Action: aftermath.AuditReadConfidential, RecordType: rtTestimony, RecordID: id,
			Detail: "attachment " + strconv.FormatInt(attID, 10) + " opened"})
	})
	if err != nil {
		return nil, nil, err
	}
	return a, content, nil
}
