-- The accountability ledger: decisions, inquiries with their findings,
-- recommendations with an append-only status history, and claims tested
-- against the evidence. Citations use the citations table, with record
-- types 'decision', 'inquiry', 'inquiry_finding', 'recommendation',
-- 'recommendation_status' and 'claim'. Decision-makers, inquiry bodies,
-- addressees and claim authors are actors. Each record carries its own
-- audience (a new record is internal); child rows follow their parent.

CREATE TABLE decisions (
	id                 {{id}},
	maker_id           {{bigint}} NOT NULL REFERENCES actors(id),
	date               TEXT NOT NULL,
	kind               TEXT NOT NULL CHECK (kind IN ('deployment', 'authorisation', 'funding', 'arms-export-licence',
		'training', 'partnership', 'law-policy')),
	reference          TEXT NOT NULL DEFAULT '',
	summary            TEXT NOT NULL,
	rationale          TEXT NOT NULL DEFAULT '',
	rationale_verbatim {{bool}} NOT NULL DEFAULT {{false}},
	amounts            TEXT NOT NULL DEFAULT '[]', -- JSON array of {value, currency, note}
	notes              TEXT NOT NULL DEFAULT '',
	audience           TEXT NOT NULL DEFAULT 'internal'
		CHECK (audience IN ('confidential', 'internal', 'partners', 'public')),
	owner_org_id       {{bigint}} REFERENCES organisations(id),
	created_at         TEXT NOT NULL,
	updated_at         TEXT NOT NULL
);
CREATE INDEX decisions_maker ON decisions (maker_id, date);
CREATE INDEX decisions_reference ON decisions (reference);

CREATE TABLE decision_interventions (
	decision_id     {{bigint}} NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
	intervention_id {{bigint}} NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
	PRIMARY KEY (decision_id, intervention_id)
);
CREATE INDEX decision_interventions_intervention ON decision_interventions (intervention_id);

CREATE TABLE decision_actors (
	decision_id {{bigint}} NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
	actor_id    {{bigint}} NOT NULL REFERENCES actors(id),
	position    INTEGER NOT NULL,
	PRIMARY KEY (decision_id, actor_id)
);
CREATE INDEX decision_actors_actor ON decision_actors (actor_id);

CREATE TABLE inquiries (
	id           {{id}},
	body_id      {{bigint}} NOT NULL REFERENCES actors(id),
	type         TEXT NOT NULL CHECK (type IN ('parliamentary-inquiry', 'independent-inquiry', 'inspector-general', 'un-panel', 'court')),
	title        TEXT NOT NULL,
	reference    TEXT NOT NULL DEFAULT '',
	date         TEXT NOT NULL,
	summary      TEXT NOT NULL DEFAULT '',
	notes        TEXT NOT NULL DEFAULT '',
	audience     TEXT NOT NULL DEFAULT 'internal'
		CHECK (audience IN ('confidential', 'internal', 'partners', 'public')),
	owner_org_id {{bigint}} REFERENCES organisations(id),
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX inquiries_body ON inquiries (body_id, date);
CREATE INDEX inquiries_reference ON inquiries (reference);

CREATE TABLE inquiry_interventions (
	inquiry_id      {{bigint}} NOT NULL REFERENCES inquiries(id) ON DELETE CASCADE,
	intervention_id {{bigint}} NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
	PRIMARY KEY (inquiry_id, intervention_id)
);
CREATE INDEX inquiry_interventions_intervention ON inquiry_interventions (intervention_id);

-- Whose conduct an inquiry examined.
CREATE TABLE inquiry_subjects (
	inquiry_id {{bigint}} NOT NULL REFERENCES inquiries(id) ON DELETE CASCADE,
	actor_id   {{bigint}} NOT NULL REFERENCES actors(id),
	position   INTEGER NOT NULL,
	PRIMARY KEY (inquiry_id, actor_id)
);
CREATE INDEX inquiry_subjects_actor ON inquiry_subjects (actor_id);

CREATE TABLE inquiry_findings (
	id         {{id}},
	inquiry_id {{bigint}} NOT NULL REFERENCES inquiries(id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	text       TEXT NOT NULL,
	location   TEXT NOT NULL DEFAULT '',
	verbatim   {{bool}} NOT NULL DEFAULT {{false}}
);
CREATE INDEX inquiry_findings_inquiry ON inquiry_findings (inquiry_id, position);

CREATE TABLE recommendations (
	id            {{id}},
	inquiry_id    {{bigint}} NOT NULL REFERENCES inquiries(id) ON DELETE CASCADE,
	number        TEXT NOT NULL DEFAULT '',
	addressee_id  {{bigint}} NOT NULL REFERENCES actors(id),
	text          TEXT NOT NULL,
	verbatim      {{bool}} NOT NULL DEFAULT {{false}},
	response      TEXT NOT NULL DEFAULT '',
	response_date TEXT NOT NULL DEFAULT '',
	deadline      TEXT NOT NULL DEFAULT '',
	audience      TEXT NOT NULL DEFAULT 'internal'
		CHECK (audience IN ('confidential', 'internal', 'partners', 'public')),
	owner_org_id  {{bigint}} REFERENCES organisations(id),
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE INDEX recommendations_inquiry ON recommendations (inquiry_id);
CREATE INDEX recommendations_addressee ON recommendations (addressee_id);

-- Append-only: a judgement is corrected by a later one, never rewritten.
CREATE TABLE recommendation_status (
	id                {{id}},
	recommendation_id {{bigint}} NOT NULL REFERENCES recommendations(id) ON DELETE CASCADE,
	status            TEXT NOT NULL CHECK (status IN ('open', 'implemented', 'partly-implemented', 'not-implemented', 'superseded')),
	date              TEXT NOT NULL,
	judged_by         TEXT NOT NULL DEFAULT '',
	criteria          TEXT NOT NULL DEFAULT '',
	note              TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL
);
CREATE INDEX recommendation_status_recommendation ON recommendation_status (recommendation_id, date, id);

-- Later events (by dataset and native id, so that re-imports keep the
-- link) or decisions that show the problem recurring.
CREATE TABLE recommendation_recurrences (
	id                {{id}},
	recommendation_id {{bigint}} NOT NULL REFERENCES recommendations(id) ON DELETE CASCADE,
	position          INTEGER NOT NULL,
	kind              TEXT NOT NULL CHECK (kind IN ('event', 'decision')),
	dataset           TEXT NOT NULL DEFAULT '',
	native_id         TEXT NOT NULL DEFAULT '',
	decision_id       {{bigint}} REFERENCES decisions(id) ON DELETE CASCADE,
	note              TEXT NOT NULL DEFAULT '',
	CHECK ((kind = 'event' AND dataset <> '' AND native_id <> '' AND decision_id IS NULL)
		OR (kind = 'decision' AND decision_id IS NOT NULL))
);
CREATE INDEX recommendation_recurrences_recommendation ON recommendation_recurrences (recommendation_id);
CREATE INDEX recommendation_recurrences_decision ON recommendation_recurrences (decision_id);

CREATE TABLE claims (
	id               {{id}},
	author_id        {{bigint}} NOT NULL REFERENCES actors(id),
	date             TEXT NOT NULL,
	appearance_url   TEXT NOT NULL DEFAULT '',
	appearance_title TEXT NOT NULL DEFAULT '',
	text             TEXT NOT NULL,
	verbatim         {{bool}} NOT NULL DEFAULT {{false}},
	verdict          TEXT NOT NULL DEFAULT ''
		CHECK (verdict IN ('', 'false', 'mostly-false', 'mixed', 'mostly-accurate', 'accurate')),
	reasoning        TEXT NOT NULL DEFAULT '',
	reviewed_by      TEXT NOT NULL DEFAULT '',
	published        {{bool}} NOT NULL DEFAULT {{false}},
	published_date   TEXT NOT NULL DEFAULT '',
	audience         TEXT NOT NULL DEFAULT 'internal'
		CHECK (audience IN ('confidential', 'internal', 'partners', 'public')),
	owner_org_id     {{bigint}} REFERENCES organisations(id),
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
);
CREATE INDEX claims_author ON claims (author_id, date);

CREATE TABLE claim_evidence (
	id       {{id}},
	claim_id {{bigint}} NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	kind     TEXT NOT NULL CHECK (kind IN ('event', 'analysis', 'testimony', 'source', 'intervention')),
	ref      TEXT NOT NULL,
	note     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX claim_evidence_claim ON claim_evidence (claim_id, position);

CREATE TABLE claim_interventions (
	claim_id        {{bigint}} NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
	intervention_id {{bigint}} NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
	PRIMARY KEY (claim_id, intervention_id)
);
CREATE INDEX claim_interventions_intervention ON claim_interventions (intervention_id);
