package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/csvout"
)

// CSV exports of the ledger's tables, one row per record the viewer may
// see, under the same audience rules as every read. Lists inside a cell
// are joined with "; ". The citations column reads
// "field: SOURCE IDENTIFIER, PAGE (confidence)" for each citation whose
// source the viewer may see, so a reader can check every field.

// WriteDecisionsCSV writes the decisions the viewer may see.
func (db *DB) WriteDecisionsCSV(ctx context.Context, v aftermath.Viewer, w io.Writer) error {
	ds, err := db.Decisions(ctx, v, DecisionFilter{})
	if err != nil {
		return err
	}
	cw := csvout.NewWriter(w)
	cw.Write([]string{"id", "date", "kind", "maker_id", "maker", "reference", "summary", "rationale", "rationale_verbatim",
		"amounts", "intervention_ids", "actors", "audience", "citations"})
	for _, d := range ds {
		var amounts []string
		for _, a := range d.Amounts {
			amounts = append(amounts, strings.TrimSpace(strconv.FormatFloat(a.Value, 'f', -1, 64)+" "+a.Currency+" "+a.Note))
		}
		cites, err := db.citationsText(ctx, v, aftermath.RecordDecision, d.ID)
		if err != nil {
			return err
		}
		cw.Write([]string{csvID(d.ID), d.Date, d.Kind, csvID(d.Maker.ID), d.Maker.Name, d.Reference, d.Summary, d.Rationale, csvYes(d.RationaleVerbatim),
			strings.Join(amounts, "; "), csvIDs(d.InterventionIDs), csvActors(d.Actors), string(d.Audience), cites})
	}
	cw.Flush()
	return cw.Error()
}

// WriteInquiriesCSV writes the inquiries the viewer may see (findings are
// in WriteFindingsCSV).
func (db *DB) WriteInquiriesCSV(ctx context.Context, v aftermath.Viewer, w io.Writer) error {
	qs, err := db.Inquiries(ctx, v, InquiryFilter{})
	if err != nil {
		return err
	}
	cw := csvout.NewWriter(w)
	cw.Write([]string{"id", "date", "type", "body_id", "body", "title", "reference", "summary", "intervention_ids", "subjects",
		"findings", "audience", "citations"})
	for _, q := range qs {
		cites, err := db.citationsText(ctx, v, aftermath.RecordInquiry, q.ID)
		if err != nil {
			return err
		}
		cw.Write([]string{csvID(q.ID), q.Date, q.Type, csvID(q.Body.ID), q.Body.Name, q.Title, q.Reference, q.Summary, csvIDs(q.InterventionIDs),
			csvActors(q.Subjects), strconv.Itoa(len(q.Findings)), string(q.Audience), cites})
	}
	cw.Flush()
	return cw.Error()
}

// WriteFindingsCSV writes the findings of the inquiries the viewer may see.
func (db *DB) WriteFindingsCSV(ctx context.Context, v aftermath.Viewer, w io.Writer) error {
	qs, err := db.Inquiries(ctx, v, InquiryFilter{})
	if err != nil {
		return err
	}
	cw := csvout.NewWriter(w)
	cw.Write([]string{"inquiry_id", "finding_id", "number", "location", "verbatim", "text", "citations"})
	for _, q := range qs {
		for i, f := range q.Findings {
			cites, err := db.citationsText(ctx, v, aftermath.RecordFinding, f.ID)
			if err != nil {
				return err
			}
			cw.Write([]string{csvID(q.ID), csvID(f.ID), strconv.Itoa(i + 1), f.Location, csvYes(f.Verbatim), f.Text, cites})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteRecommendationsCSV writes the recommendations the viewer may see
// with their current status (the history is in
// WriteRecommendationStatusCSV).
func (db *DB) WriteRecommendationsCSV(ctx context.Context, v aftermath.Viewer, w io.Writer) error {
	rs, err := db.Recommendations(ctx, v, RecommendationFilter{})
	if err != nil {
		return err
	}
	cw := csvout.NewWriter(w)
	cw.Write([]string{"id", "inquiry_id", "number", "addressee_id", "addressee", "text", "verbatim", "response", "response_date",
		"deadline", "status", "status_date", "overdue", "recurrences", "audience", "citations"})
	for _, r := range rs {
		var rec []string
		for _, x := range r.Recurrences {
			if x.Kind == "event" {
				rec = append(rec, "event "+x.Dataset+":"+x.NativeID)
			} else {
				rec = append(rec, "decision "+csvID(x.DecisionID))
			}
		}
		cites, err := db.citationsText(ctx, v, aftermath.RecordRecommendation, r.ID)
		if err != nil {
			return err
		}
		cw.Write([]string{csvID(r.ID), csvID(r.InquiryID), r.Number, csvID(r.Addressee.ID), r.Addressee.Name, r.Text, csvYes(r.Verbatim), r.Response,
			r.ResponseDate, r.Deadline, r.Status, r.StatusDate, csvYes(r.Overdue), strings.Join(rec, "; "), string(r.Audience), cites})
	}
	cw.Flush()
	return cw.Error()
}

// WriteRecommendationStatusCSV writes every status change of the
// recommendations the viewer may see, in order.
func (db *DB) WriteRecommendationStatusCSV(ctx context.Context, v aftermath.Viewer, w io.Writer) error {
	rs, err := db.Recommendations(ctx, v, RecommendationFilter{})
	if err != nil {
		return err
	}
	cw := csvout.NewWriter(w)
	cw.Write([]string{"recommendation_id", "change_id", "date", "status", "judged_by", "criteria", "note", "citations"})
	for _, r := range rs {
		for _, s := range r.History {
			cites, err := db.citationsText(ctx, v, aftermath.RecordStatusChange, s.ID)
			if err != nil {
				return err
			}
			cw.Write([]string{csvID(r.ID), csvID(s.ID), s.Date, s.Status, s.JudgedBy, s.Criteria, s.Note, cites})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteClaimsCSV writes the claims the viewer may see.
func (db *DB) WriteClaimsCSV(ctx context.Context, v aftermath.Viewer, w io.Writer) error {
	cs, err := db.Claims(ctx, v, ClaimFilter{})
	if err != nil {
		return err
	}
	cw := csvout.NewWriter(w)
	cw.Write([]string{"id", "date", "author_id", "author", "text", "verbatim", "appearance_title", "appearance_url", "verdict", "rating",
		"reasoning", "reviewed_by", "published", "published_date", "evidence", "intervention_ids", "audience", "citations"})
	for _, c := range cs {
		rating := ""
		if vd, ok := aftermath.VerdictByName(c.Verdict); ok {
			rating = strconv.Itoa(vd.Rating)
		}
		var ev []string
		for _, e := range c.Evidence {
			ev = append(ev, e.Kind+" "+e.Ref)
		}
		cites, err := db.citationsText(ctx, v, aftermath.RecordClaim, c.ID)
		if err != nil {
			return err
		}
		cw.Write([]string{csvID(c.ID), c.Date, csvID(c.Author.ID), c.Author.Name, c.Text, csvYes(c.Verbatim), c.AppearanceTitle, c.AppearanceURL,
			c.Verdict, rating, c.Reasoning, c.ReviewedBy, csvYes(c.Published), c.PublishedDate, strings.Join(ev, "; "), csvIDs(c.InterventionIDs),
			string(c.Audience), cites})
	}
	cw.Flush()
	return cw.Error()
}

// citationsText renders a record's citations for one CSV cell, naming each
// source by its document identifier (its title when it has none).
func (db *DB) citationsText(ctx context.Context, v aftermath.Viewer, recordType string, recordID int64) (string, error) {
	var out []string
	err := db.each(ctx, `SELECT c.field, s.identifier, s.title, c.page, c.confidence FROM citations c JOIN sources s ON s.id = c.source_id
		WHERE c.record_type = ? AND c.record_id = ? AND `+visible(v, "s", "source")+` ORDER BY c.field, c.id`, []any{recordType, recordID},
		func(r *sql.Rows) error {
			var field, ident, title, page, conf string
			if err := r.Scan(&field, &ident, &title, &page, &conf); err != nil {
				return err
			}
			if ident == "" {
				ident = title
			}
			if page != "" {
				ident += ", " + page
			}
			out = append(out, fmt.Sprintf("%s: %s (%s)", field, ident, conf))
			return nil
		})
	return strings.Join(out, "; "), err
}

func csvID(n int64) string { return strconv.FormatInt(n, 10) }

func csvYes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func csvIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, n := range ids {
		s[i] = csvID(n)
	}
	return strings.Join(s, "; ")
}

func csvActors(as []aftermath.ActorRef) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.Name
	}
	return strings.Join(s, "; ")
}
