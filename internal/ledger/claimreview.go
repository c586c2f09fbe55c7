// Package ledger holds what the accountability ledger needs beyond the
// store: the schema.org ClaimReview export of published claim reviews and
// the starter records (starter.json) that `aftermath seed` loads.
package ledger

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"aftermath"
)

// ClaimPath is the path of a claim's public page; the ClaimReview's url
// points there, so the web layer must serve the page at this path.
func ClaimPath(id int64) string { return "/claims/" + strconv.FormatInt(id, 10) }

// The ClaimReview shape (https://schema.org/ClaimReview), with the
// properties fact-check readers look for. Field order is output order.
type claimReview struct {
	Context       string    `json:"@context"`
	Type          string    `json:"@type"`
	URL           string    `json:"url"`
	ClaimReviewed string    `json:"claimReviewed"`
	ItemReviewed  claimItem `json:"itemReviewed"`
	ReviewRating  rating    `json:"reviewRating"`
	Author        named     `json:"author"`
	DatePublished string    `json:"datePublished"`
}

type claimItem struct {
	Type          string      `json:"@type"`
	Author        named       `json:"author"`
	DatePublished string      `json:"datePublished"`
	Appearance    *appearance `json:"appearance,omitempty"`
}

type named struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

type appearance struct {
	Type     string `json:"@type"`
	URL      string `json:"url,omitempty"`
	Headline string `json:"headline,omitempty"`
}

type rating struct {
	Type          string `json:"@type"`
	RatingValue   int    `json:"ratingValue"`
	BestRating    int    `json:"bestRating"`
	WorstRating   int    `json:"worstRating"`
	AlternateName string `json:"alternateName"`
}

// ClaimReviewJSONLD renders a published claim review as schema.org
// ClaimReview JSON-LD. siteURL is the instance's public base URL
// (https://example.org); the review's url is siteURL + ClaimPath(c.ID).
// The rating is the verdict's place on aftermath.Verdicts (1 false … 5
// accurate). The output escapes <, > and & (as \u003c …), so it is safe
// inside an HTML <script type="application/ld+json"> element.
func ClaimReviewJSONLD(c *aftermath.Claim, siteURL string) ([]byte, error) {
	base, err := url.Parse(strings.TrimRight(siteURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, aftermath.Errorf(aftermath.EINVALID, "claim review: site URL %q is not an absolute http(s) URL", siteURL)
	}
	v, ok := aftermath.VerdictByName(c.Verdict)
	switch {
	case c.ID == 0:
		return nil, aftermath.Errorf(aftermath.EINVALID, "claim review: the claim is not stored")
	case !c.Published:
		return nil, aftermath.Errorf(aftermath.EINVALID, "claim %d: the review is not published", c.ID)
	case !ok:
		return nil, aftermath.Errorf(aftermath.EINVALID, "claim %d: verdict %q is not on the scale", c.ID, c.Verdict)
	case strings.TrimSpace(c.ReviewedBy) == "" || c.PublishedDate == "":
		return nil, aftermath.Errorf(aftermath.EINVALID, "claim %d: a published review needs reviewed_by and published_date", c.ID)
	case strings.TrimSpace(c.Author.Name) == "":
		return nil, aftermath.Errorf(aftermath.EINVALID, "claim %d: the claim's author has no name", c.ID)
	}
	authorType := "Organization"
	if c.Author.Kind == aftermath.KindPerson {
		authorType = "Person"
	}
	doc := claimReview{
		Context:       "https://schema.org",
		Type:          "ClaimReview",
		URL:           base.String() + ClaimPath(c.ID),
		ClaimReviewed: c.Text,
		ItemReviewed: claimItem{
			Type:          "Claim",
			Author:        named{Type: authorType, Name: c.Author.Name},
			DatePublished: c.Date,
		},
		ReviewRating: rating{
			Type:          "Rating",
			RatingValue:   v.Rating,
			BestRating:    aftermath.Verdicts[len(aftermath.Verdicts)-1].Rating,
			WorstRating:   aftermath.Verdicts[0].Rating,
			AlternateName: v.Label,
		},
		Author:        named{Type: "Organization", Name: strings.TrimSpace(c.ReviewedBy)},
		DatePublished: c.PublishedDate,
	}
	if c.AppearanceURL != "" || c.AppearanceTitle != "" {
		doc.ItemReviewed.Appearance = &appearance{Type: "CreativeWork", URL: c.AppearanceURL, Headline: c.AppearanceTitle}
	}
	// json.Marshal escapes <, > and & in strings; that escaping is what
	// keeps a statement containing "</script>" inside its element.
	return json.Marshal(doc)
}

// CheckClaimReview checks a JSON-LD document against the ClaimReview
// structure this package produces: the required properties, their types,
// and a rating within its bounds. Page tests can run it on the JSON-LD
// embedded in a claim's page.
func CheckClaimReview(doc []byte) error {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return fmt.Errorf("claim review: %v", err)
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	str := func(obj map[string]any, path, key string) string {
		s, ok := obj[key].(string)
		if !ok || strings.TrimSpace(s) == "" {
			bad("%s%s: a non-empty string is required", path, key)
		}
		return s
	}
	object := func(obj map[string]any, path, key string, types ...string) map[string]any {
		o, ok := obj[key].(map[string]any)
		if !ok {
			bad("%s%s: an object is required", path, key)
			return map[string]any{}
		}
		t, _ := o["@type"].(string)
		for _, want := range types {
			if t == want {
				return o
			}
		}
		bad("%s%s: @type %q is not %s", path, key, t, strings.Join(types, " or "))
		return o
	}
	number := func(obj map[string]any, path, key string) float64 {
		n, ok := obj[key].(float64)
		if !ok {
			bad("%s%s: a number is required", path, key)
		}
		return n
	}
	if m["@context"] != "https://schema.org" {
		bad("@context: %v is not https://schema.org", m["@context"])
	}
	if m["@type"] != "ClaimReview" {
		bad("@type: %v is not ClaimReview", m["@type"])
	}
	for _, k := range []string{"claimReviewed", "datePublished", "url"} {
		str(m, "", k)
	}
	if u, err := url.Parse(fmt.Sprint(m["url"])); err != nil || !u.IsAbs() {
		bad("url: %v is not absolute", m["url"])
	}
	author := object(m, "", "author", "Organization", "Person")
	str(author, "author.", "name")
	item := object(m, "", "itemReviewed", "Claim")
	str(object(item, "itemReviewed.", "author", "Organization", "Person"), "itemReviewed.author.", "name")
	str(item, "itemReviewed.", "datePublished")
	if _, ok := item["appearance"]; ok {
		app := object(item, "itemReviewed.", "appearance", "CreativeWork")
		if app["url"] == nil && app["headline"] == nil {
			bad("itemReviewed.appearance: a url or headline is required")
		}
	}
	r := object(m, "", "reviewRating", "Rating")
	v, best, worst := number(r, "reviewRating.", "ratingValue"), number(r, "reviewRating.", "bestRating"), number(r, "reviewRating.", "worstRating")
	if worst >= best || v < worst || v > best {
		bad("reviewRating: ratingValue %v is not within worstRating %v and bestRating %v", v, worst, best)
	}
	str(r, "reviewRating.", "alternateName")
	if len(problems) > 0 {
		return fmt.Errorf("claim review: %s", strings.Join(problems, "; "))
	}
	return nil
}
