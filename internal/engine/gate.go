package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/introspect"
	"github.com/cqlsync/cqlsync/internal/cql/plan"
)

// The approval gate stands between planning and executing, for every kind and for deletions:
// spec.changePolicy, the annotation cqlsync.io/paused and the manager's --dry-run decide which
// planned statements run now and which wait, and the waiting ones are published in status.plan
// under a hash that the annotation cqlsync.io/approve-plan approves. This file is the rule, pure.

// gatePolicy is what the gate lets through for one resource in one reconcile.
type gatePolicy struct {
	// hold is why statements wait: "" (nothing waits: changePolicy Auto), AwaitingApproval,
	// Paused or DryRun.
	hold string
	// additiveRuns: additive statements run anyway (changePolicy AutoAdditive).
	additiveRuns bool
	// approved is the hash the annotation cqlsync.io/approve-plan approves ("" for none). Only
	// AwaitingApproval plans can be approved.
	approved string
}

// policyOf reads the gate's policy from the resource and the manager's --dry-run.
func policyOf(obj cqlv1.SchemaObject, dryRun bool) gatePolicy {
	switch {
	case dryRun:
		return gatePolicy{hold: cqlv1.ReasonDryRun}
	case obj.GetAnnotations()[cqlv1.AnnotationPaused] == "true":
		return gatePolicy{hold: cqlv1.ReasonPaused}
	}
	approved := obj.GetAnnotations()[cqlv1.AnnotationApprovePlan]
	switch obj.EffectiveChangePolicy() {
	case cqlv1.ChangePolicyManual:
		return gatePolicy{hold: cqlv1.ReasonAwaitingApproval, approved: approved}
	case cqlv1.ChangePolicyAutoAdditive:
		return gatePolicy{hold: cqlv1.ReasonAwaitingApproval, additiveRuns: true, approved: approved}
	}
	return gatePolicy{}
}

// gated is one target's planned statements, as the gate sees them.
type gated struct {
	connection, keyspace string
	// object is what the statements change.
	object introspect.Object
	// liveVersion computes the version of the live object the statements were computed against: a
	// digest of its definition (the adapter's version), which no other change moves. Computed on
	// first use (only plans that wait need it): see schemaVersion.
	liveVersion func() string
	version     string
	// planned is everything the target needs, in order.
	planned plan.Plan
	// run and held are what the gate lets run now and what waits, each in the planned order;
	// waits[i] says whether planned[i] is held.
	run, held plan.Plan
	waits     []bool
}

// schemaVersion is the version of the live object the statements were computed against.
func (g *gated) schemaVersion() string {
	if g.version == "" && g.liveVersion != nil {
		g.version = g.liveVersion()
	}
	return g.version
}

// gateResult is the gate's decision over every target of a resource.
type gateResult struct {
	// pending is what waits, to publish in status.plan; nil when nothing waits.
	pending *cqlv1.PendingPlan
	// approved is set when the annotation approved exactly the plan that waited: it all runs.
	approved string
}

// decide splits each target's statements into what runs now and what waits, and computes the
// plan that waits. The plan waits as a whole: when the annotation approves its hash, every held
// statement of every target runs (in the planned order, with the additive ones).
func (p gatePolicy) decide(targets []*gated) gateResult {
	for _, g := range targets {
		g.run, g.held, g.waits = nil, nil, make([]bool, len(g.planned))
		for i, st := range g.planned {
			if p.hold == "" || (p.additiveRuns && st.Additive()) {
				g.run = append(g.run, st)
			} else {
				g.held = append(g.held, st)
				g.waits[i] = true
			}
		}
	}
	pending := pendingPlan(p.hold, targets)
	if pending == nil {
		return gateResult{}
	}
	if p.hold == cqlv1.ReasonAwaitingApproval && p.approved == pending.Hash {
		for _, g := range targets {
			g.run, g.held, g.waits = g.planned, nil, make([]bool, len(g.planned))
		}
		return gateResult{approved: pending.Hash}
	}
	return gateResult{pending: pending}
}

// pendingPlan is the plan of the held statements, nil when none are held.
func pendingPlan(reason string, targets []*gated) *cqlv1.PendingPlan {
	p := &cqlv1.PendingPlan{Reason: reason}
	for _, g := range targets {
		if len(g.held) == 0 {
			continue
		}
		pt := cqlv1.PlanTarget{Connection: g.connection, Keyspace: g.keyspace, SchemaVersion: g.schemaVersion()}
		for _, st := range g.held {
			pt.Statements = append(pt.Statements, cqlv1.PlannedStatement{CQL: st.Shown(), Summary: st.Summary})
		}
		p.Targets = append(p.Targets, pt)
	}
	if len(p.Targets) == 0 {
		return nil
	}
	p.Hash = planHash(p.Targets)
	return p
}

// planHash is a short digest of the targets' statements and the versions of the live keyspaces
// they were computed against: the same statements against the same schema give the same hash, and anything else
// another one. The reason the plan waits is left out, so pausing and resuming keeps the hash.
func planHash(targets []cqlv1.PlanTarget) string {
	// Every field is length-prefixed, so no two different plans write the same bytes (a statement
	// holding a newline cannot pass for two).
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	for _, t := range targets {
		fmt.Fprintf(h, "target %d;", len(t.Statements))
		field(t.Connection)
		field(t.Keyspace)
		field(t.SchemaVersion)
		for _, st := range t.Statements {
			field(st.CQL)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// heldMessage is the message of a target whose statements wait.
func heldMessage(reason string, held plan.Plan) string {
	summaries := make([]string, len(held))
	for i, st := range held {
		summaries[i] = st.Summary
	}
	what := fmt.Sprintf("%d statement(s) wait", len(held))
	switch reason {
	case cqlv1.ReasonAwaitingApproval:
		what += " for approval"
	case cqlv1.ReasonPaused:
		what += " (paused)"
	case cqlv1.ReasonDryRun:
		what += " (the manager runs with --dry-run)"
	}
	return what + ": " + strings.Join(summaries, "; ")
}

// howToProceed says, for a waiting plan, what lets it run.
func howToProceed(kind, name string, pending *cqlv1.PendingPlan) string {
	switch pending.Reason {
	case cqlv1.ReasonAwaitingApproval:
		return fmt.Sprintf("plan %s waits for approval: kubectl annotate %s/%s %s=%s --overwrite",
			pending.Hash, strings.ToLower(kind), name, cqlv1.AnnotationApprovePlan, pending.Hash)
	case cqlv1.ReasonPaused:
		return fmt.Sprintf("plan %s is paused: remove the annotation %s to let it run", pending.Hash, cqlv1.AnnotationPaused)
	}
	return fmt.Sprintf("plan %s is not run: the manager runs with --dry-run", pending.Hash)
}
