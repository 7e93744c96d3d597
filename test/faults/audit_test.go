//go:build faults

package faults

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// auditEntry is one line of a node's audit log (Cassandra's FileAuditLogger):
// "user:...|host:...|source:...|port:...|timestamp:...|type:CREATE_TABLE|category:DDL|ks:k|scope:t|operation:CREATE TABLE ...".
type auditEntry struct {
	Type, Keyspace, Scope, Operation string
	// Port is the client's port: one driver connection, so one process.
	Port string
	// Logged is the log line's time.
	Logged string
}

// key names what a statement did: its type and object.
func (e auditEntry) key() string { return e.Type + " " + e.Keyspace + "." + e.Scope }

// readAudit returns the DDL entries of a node's audit log about keyspaces with the prefix.
func readAudit(t *testing.T, path, prefix string) []auditEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("reading the audit log: %v (hack/cassandra.sh enables it when it starts a node: restart the rig)", err)
	}
	defer f.Close()
	var out []auditEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "user:")
		if i < 0 {
			continue
		}
		e := auditEntry{Logged: strings.TrimSpace(line[:i])}
		category := ""
		rest := line[i:]
		// operation comes last and may hold anything: split it off first.
		if j := strings.Index(rest, "|operation:"); j >= 0 {
			e.Operation = rest[j+len("|operation:"):]
			rest = rest[:j]
		}
		for _, field := range strings.Split(rest, "|") {
			k, v, _ := strings.Cut(field, ":")
			switch k {
			case "type":
				e.Type = v
			case "category":
				category = v
			case "ks":
				e.Keyspace = v
			case "scope":
				e.Scope = v
			case "port":
				e.Port = v
			}
		}
		if category == "DDL" && strings.HasPrefix(e.Keyspace, prefix) {
			out = append(out, e)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// auditReport compares what ran with what the plans called for (intended: one statement per key).
type auditReport struct {
	executed   int
	duplicates []auditEntry // a second run of an intended statement
	unintended []auditEntry // a statement no plan called for
	missing    []string     // an intended statement the log does not show
}

func compareAudit(entries []auditEntry, intended map[string]bool) auditReport {
	r := auditReport{executed: len(entries)}
	seen := map[string]int{}
	for _, e := range entries {
		if !intended[e.key()] {
			r.unintended = append(r.unintended, e)
			continue
		}
		seen[e.key()]++
		if seen[e.key()] > 1 {
			r.duplicates = append(r.duplicates, e)
		}
	}
	for k := range intended {
		if seen[k] == 0 {
			r.missing = append(r.missing, k)
		}
	}
	return r
}
