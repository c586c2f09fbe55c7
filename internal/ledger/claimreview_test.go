package ledger_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/ledger"
)

func publishedClaim() *aftermath.Claim {
	return &aftermath.Claim{
		ID:              42,
		Author:          aftermath.ActorRef{ID: 7, Name: "A Defence Minister", Kind: aftermath.KindPerson},
		Date:            "2019-04-02",
		AppearanceURL:   "https://parliament.example.org/debates/2019-04-02#col-12",
		AppearanceTitle: "Parliamentary debate, 2 April 2019, col. 12",
		Text:            "No civilians were harmed in the strikes of March 2019.",
		Verbatim:        true,
		Verdict:         "mostly-false",
		Reasoning:       "Three events in the data record civilian deaths.",
		ReviewedBy:      "Example Monitoring Group",
		Evidence:        []aftermath.EvidenceLink{{Kind: "event", Ref: "ucdp:412345"}},
		Published:       true,
		PublishedDate:   "2024-01-15",
	}
}

// TestClaimReviewMatchesFixture compares the export, structurally, with a
// hand-written ClaimReview of the expected shape.
func TestClaimReviewMatchesFixture(t *testing.T) {
	got, err := ledger.ClaimReviewJSONLD(publishedClaim(), "https://monitor.example.org/")
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile("testdata/claimreview.json")
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(fixture, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("ClaimReview:\n%s\nwant the shape of testdata/claimreview.json", got)
	}
	for _, doc := range [][]byte{got, fixture} {
		if err := ledger.CheckClaimReview(doc); err != nil {
			t.Error(err)
		}
	}
}

func TestClaimReviewRatingsAndAuthors(t *testing.T) {
	for _, v := range aftermath.Verdicts {
		c := publishedClaim()
		c.Verdict, c.Author.Kind, c.AppearanceURL, c.AppearanceTitle = v.Name, aftermath.KindState, "", ""
		out, err := ledger.ClaimReviewJSONLD(c, "http://localhost:8080")
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.CheckClaimReview(out); err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
		var m struct {
			URL          string `json:"url"`
			ItemReviewed struct {
				Author     map[string]string `json:"author"`
				Appearance any               `json:"appearance"`
			} `json:"itemReviewed"`
			ReviewRating struct {
				RatingValue   int    `json:"ratingValue"`
				AlternateName string `json:"alternateName"`
			} `json:"reviewRating"`
		}
		json.Unmarshal(out, &m)
		if m.ReviewRating.RatingValue != v.Rating || m.ReviewRating.AlternateName != v.Label || m.ItemReviewed.Author["@type"] != "Organization" ||
			m.ItemReviewed.Appearance != nil || m.URL != "http://localhost:8080/claims/42" {
			t.Errorf("%s: %s", v.Name, out)
		}
	}
	if aftermath.Verdicts[0].Name != "false" || aftermath.Verdicts[0].Rating != 1 || aftermath.Verdicts[4].Name != "accurate" || aftermath.Verdicts[4].Rating != 5 {
		t.Errorf("the scale runs from false (1) to accurate (5): %+v", aftermath.Verdicts)
	}
}

func TestClaimReviewRefusesUnpublished(t *testing.T) {
	for name, mut := range map[string]func(*aftermath.Claim){
		"draft":      func(c *aftermath.Claim) { c.Published = false },
		"no verdict": func(c *aftermath.Claim) { c.Verdict = "" },
		"reviewer":   func(c *aftermath.Claim) { c.ReviewedBy = "" },
		"unsaved":    func(c *aftermath.Claim) { c.ID = 0 },
	} {
		c := publishedClaim()
		mut(c)
		if _, err := ledger.ClaimReviewJSONLD(c, "https://monitor.example.org"); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ledger.ClaimReviewJSONLD(publishedClaim(), "monitor.example.org"); aftermath.ErrorCode(err) != aftermath.EINVALID {
		t.Errorf("relative site URL: %v", err)
	}
	if err := ledger.CheckClaimReview([]byte(`{"@context":"https://schema.org","@type":"ClaimReview","reviewRating":{"@type":"Rating","ratingValue":7,"bestRating":5,"worstRating":1}}`)); err == nil ||
		!strings.Contains(err.Error(), "claimReviewed") || !strings.Contains(err.Error(), "ratingValue 7") {
		t.Errorf("an incomplete review passes: %v", err)
	}
}

// TestClaimReviewIsSafeInScript: a statement containing markup cannot
// close the <script> element the page embeds the JSON-LD in.
func TestClaimReviewIsSafeInScript(t *testing.T) {
	c := publishedClaim()
	c.Text = `Strikes were "precise" </script><script>alert(1)</script> & <!-- lawful -->`
	c.ReviewedBy = "Monitors <& Co>"
	out, err := ledger.ClaimReviewJSONLD(c, "https://monitor.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(out, "<>&") {
		t.Errorf("raw <, > or & in the JSON-LD: %s", out)
	}
	if !bytes.Contains(out, []byte(`\u003c/script\u003e`)) || !bytes.Contains(out, []byte(`\u0026`)) {
		t.Errorf("expected \\u003c, \\u003e and \\u0026 escapes: %s", out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil || m["claimReviewed"] != c.Text {
		t.Errorf("the escaped text does not read back: %v %v", m["claimReviewed"], err)
	}
}
