package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// summary counts what a plan holds, and decides the exit code.
type summary struct {
	Statements int `json:"statements"`
	// Waiting are the statements the approval gate would hold (changePolicy, pause).
	Waiting int `json:"waiting"`
	// Targets with statements to run.
	Targets int `json:"targets"`
	// Blocked and Failed targets, and targets that cannot converge (unreachable, waiting for
	// something nothing in the plan creates).
	Blocked int `json:"blocked"`
	Failed  int `json:"failed"`
	Stuck   int `json:"stuck"`
	Drifted int `json:"drifted"`
}

func summarize(plans []engine.ResourcePlan) summary {
	var s summary
	for _, rp := range plans {
		for _, t := range rp.Targets {
			switch {
			case len(t.Statements) > 0:
				s.Targets++
				s.Statements += len(t.Statements)
				for _, st := range t.Statements {
					if st.Waits != "" {
						s.Waiting++
					}
				}
			case t.State == cqlv1.TargetBlocked:
				s.Blocked++
			case t.State == cqlv1.TargetFailed:
				s.Failed++
			case t.State == cqlv1.TargetPending:
				s.Stuck++
			}
			if len(t.Drift) > 0 {
				s.Drifted++
			}
		}
	}
	return s
}

func (s summary) exitCode() int {
	switch {
	case s.Blocked+s.Failed+s.Stuck > 0:
		return exitError
	case s.Statements > 0:
		return exitChanges
	}
	return exitNoChanges
}

// writeJSON prints the plans and the summary for machines.
func writeJSON(w io.Writer, plans []engine.ResourcePlan, s summary) error {
	if plans == nil {
		plans = []engine.ResourcePlan{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Resources []engine.ResourcePlan `json:"resources"`
		Summary   summary               `json:"summary"`
	}{plans, s})
}

// writeText prints the plans as a readable diff, grouped by resource and target, good to paste
// into a pull request: "+" adds, "~" changes, "-" drops.
func writeText(w io.Writer, plans []engine.ResourcePlan, s summary) error {
	var b strings.Builder
	for _, rp := range plans {
		fmt.Fprintf(&b, "%s %s/%s (%s %q, changePolicy %s)\n", rp.Kind, rp.Namespace, rp.Name, noun(rp.Kind), rp.CQLName, rp.ChangePolicy)
		for _, t := range rp.Targets {
			label := "connection " + orDefault(t.Connection)
			if t.Keyspace != "" {
				label = orDefault(t.Connection) + "/" + t.Keyspace
			}
			switch {
			case len(t.Statements) > 0:
				fmt.Fprintf(&b, "  %s: %d statement(s)\n", label, len(t.Statements))
				for _, st := range t.Statements {
					line := "    " + sign(st) + " " + st.CQL
					if st.Waits != "" {
						line += "    # waits: " + st.Waits
					}
					b.WriteString(line + "\n")
				}
			case t.State == cqlv1.TargetSynced:
				fmt.Fprintf(&b, "  %s: no changes\n", label)
			default:
				fmt.Fprintf(&b, "  %s: %s (%s): %s\n", label, t.State, t.Reason, t.Message)
			}
			for _, d := range t.Drift {
				fmt.Fprintf(&b, "    ! drift kept: %s\n", d)
			}
		}
	}
	if len(plans) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Plan: %d statement(s) to run on %d target(s)", s.Statements, s.Targets)
	if s.Waiting > 0 {
		fmt.Fprintf(&b, ", %d of them waiting for approval or paused", s.Waiting)
	}
	fmt.Fprintf(&b, "; %d blocked, %d failed, %d cannot converge, %d with drift kept.\n", s.Blocked, s.Failed, s.Stuck, s.Drifted)
	_, err := io.WriteString(w, b.String())
	return err
}

func sign(st engine.PlannedStatement) string {
	switch {
	case st.Additive:
		return "+"
	case strings.HasPrefix(st.Kind, "Drop") && !strings.Contains(st.Summary, "to create it again"):
		return "-"
	}
	return "~"
}

func noun(kind string) string {
	switch kind {
	case "Keyspace":
		return "keyspace"
	case "TableModel":
		return "table"
	}
	return "type"
}

func orDefault(connection string) string {
	if connection == "" {
		return "(default connection)"
	}
	return connection
}
