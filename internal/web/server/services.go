package server

import (
	"context"
	"time"

	"aftermath"
	"aftermath/internal/consult"
)

// Store is what the server works on: the root services, each deciding
// inside who may see and change what (internal/sqldb implements them all;
// cli wires it). Handlers never decide authorisation themselves; where a
// page hides a button a role could not use, the service still refuses.
type Store interface {
	aftermath.Events
	aftermath.Actors
	aftermath.Interventions
	aftermath.EventFigures
	aftermath.Ledger
	aftermath.LedgerViews
	aftermath.Sources
	aftermath.TestimonyIndex
	aftermath.Audit
	aftermath.Sessions
	aftermath.Jobs
	aftermath.Generations
	aftermath.Briefs
	aftermath.Search
	aftermath.Flows
	aftermath.FlowCodes
	aftermath.Site
	consult.Service
	// AccountStore signs in without the key (no second-factor
	// enrolment); Voices.AccountStore holds it.
	AccountStore() aftermath.AccountStore
	CurrentTime() time.Time
	// ReadsMayLag marks ctx's reads as tolerating a streaming replica's
	// lag: the store may answer them from the replica.
	ReadsMayLag(ctx context.Context) context.Context
	// NotifyChanged tells the other servers sharing the database that
	// public content changed, so they drop their cached pages.
	NotifyChanged(ctx context.Context) error
}

// Voices is the sealed part, which needs the key: testimony text and
// attachments, consultation answers, and second factors.
type Voices interface {
	aftermath.Testimonies
	aftermath.TestimonySearch
	consult.Responses
	AccountStore() aftermath.AccountStore
	// ReviewBrief takes every step of a brief's review; publishing reads
	// the identity vault to check the text, so it needs the key.
	ReviewBrief(ctx context.Context, v aftermath.Viewer, id int64, step aftermath.BriefReview) error
}
