package sqldb_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func TestAttachmentsLoseMetadataAndFollowTheOriginal(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		id := w.create(t, "contributor", w.input("Récit du marché."))
		// A photo whose EXIF block names the camera's owner.
		img := image.NewRGBA(image.Rect(0, 0, 8, 8))
		img.Set(1, 1, color.RGBA{255, 0, 0, 255})
		var b bytes.Buffer
		jpeg.Encode(&b, img, nil)
		exif := append([]byte{0xFF, 0xE1, 0, 30}, append([]byte("Exif\x00\x00"), []byte("Owner Zqx Traore GPS 14N")...)...)
		photo := append(append(append([]byte{}, b.Bytes()[:2]...), exif...), b.Bytes()[2:]...)
		a, err := w.vs.AddAttachment(ctx, w.v["contributor"], id, "market.jpg", photo)
		if err != nil {
			t.Fatal(err)
		}
		if a.MediaType != "image/jpeg" || a.Size == 0 || len(a.SHA256) != 64 {
			t.Fatalf("attachment %+v", a)
		}
		if _, err := w.vs.AddAttachment(ctx, w.v["contributor"], id, "report.pdf", []byte("%PDF-1.7 /Author (Zqx)")); code(err) != aftermath.EINVALID {
			t.Errorf("a PDF: %v, want refused", err)
		}
		// Those who read the original list and open it; the content has no
		// metadata and matches its recorded hash.
		for _, who := range []string{"contributor", "editor", "admin", "researcher"} {
			list, err := w.vs.Attachments(ctx, w.v[who], id)
			if err != nil || len(list) != 1 || list[0].Name != "market.jpg" || list[0].SHA256 != a.SHA256 {
				t.Errorf("%s lists %+v %v", who, list, err)
			}
		}
		got, content, err := w.vs.AttachmentContent(ctx, w.v["editor"], id, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		if hex.EncodeToString(sum[:]) != got.SHA256 || bytes.Contains(content, []byte("Zqx")) {
			t.Error("the stored photo does not match its hash or kept its metadata")
		}
		if _, _, err := image.Decode(bytes.NewReader(content)); err != nil {
			t.Errorf("the stored photo does not decode: %v", err)
		}
		for _, who := range []string{"viewer", "contributor2", "partner", "outsider", "anonymous"} {
			if _, err := w.vs.Attachments(ctx, w.v[who], id); err == nil {
				t.Errorf("%s lists the attachments", who)
			}
			if _, _, err := w.vs.AttachmentContent(ctx, w.v[who], id, a.ID); err == nil {
				t.Errorf("%s opens an attachment", who)
			}
		}
		entries, err := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{RecordType: "testimony", RecordID: id})
		if err != nil {
			t.Fatal(err)
		}
		var added, opened bool
		for _, e := range entries {
			added = added || e.Detail == "attachment "+jsonOf(a.ID)+" added, metadata removed, sha256 recorded"
			opened = opened || (e.Action == aftermath.AuditReadConfidential && e.Detail == "attachment "+jsonOf(a.ID)+" opened")
		}
		if !added || !opened {
			t.Errorf("audit log: added %v, opened %v", added, opened)
		}
		// Deleting the testimony takes its attachments.
		if err := db.DeleteTestimony(ctx, w.v["editor"], id); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := raw(t, db).QueryRow(`SELECT count(*) FROM testimony_attachments`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d attachments left after deletion (%v)", n, err)
		}
	})
}

// TestSubmitterDoesNotApproveForOutside: an editor's own testimony goes
// to partners or the public only on another person's approval.
func TestSubmitterDoesNotApproveForOutside(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		id := w.create(t, "editor", w.input("Récit."))
		ed := w.v["editor"]
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewStart}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.vs.Redact(ctx, ed, id, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.vs.Review(ctx, ed, id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic}); code(err) != aftermath.EFORBIDDEN {
			t.Errorf("the submitter approved their own testimony for the public: %v", err)
		}
		if err := w.vs.Review(ctx, w.v["admin"], id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic}); err != nil {
			t.Errorf("another person approving: %v", err)
		}
	})
}

// TestAuditLogOfOneOrganisation: an admin reads what their organisation's
// members did and what was done to its records, not another's.
func TestAuditLogOfOneOrganisation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newVoices(t, db)
		id := w.create(t, "contributor", w.input("Récit du poste de contrôle."))
		mine, err := db.AuditEntries(ctx, w.v["admin"], sqldb.AuditFilter{RecordType: "testimony"})
		if err != nil || len(mine) == 0 || mine[0].RecordID != id {
			t.Errorf("the owner's admin: %d entries (%v)", len(mine), err)
		}
		theirs, err := db.AuditEntries(ctx, w.v["outsider"], sqldb.AuditFilter{RecordType: "testimony"})
		if err != nil || len(theirs) != 0 {
			t.Errorf("another organisation's admin reads %d entries about our testimony (%v)", len(theirs), err)
		}
		all, err := db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{})
		if err != nil || len(all) < len(mine) {
			t.Errorf("the system: %d entries (%v)", len(all), err)
		}
	})
}
