package connection

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/cql/registry"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// connOutcome is what one reconcile of a CassandraConnection found out. Status is a pure function
// of it (and the previous status).
type connOutcome struct {
	connectErr  error                 // the spec or a Secret is unusable (*engine.Problem), or connecting or describing the cluster failed
	conflicts   []string              // other default connections of the namespace
	lazyPending bool                  // lazyConnect and nothing needed the session yet
	info        *registry.ClusterInfo // what the cluster said, when connected
	insecure    bool                  // TLS without certificate verification
	// Deletion: dependents are the resources the deletion waits for; released, that it is done.
	dependents []string
	released   bool
}

// connectionReady computes the Ready condition's status, reason and message.
func connectionReady(o connOutcome) (metav1.ConditionStatus, string, string) {
	switch {
	case len(o.dependents) > 0:
		return metav1.ConditionFalse, cqlv1.ReasonInUse, fmt.Sprintf("being deleted, but %s (deletionPolicy Delete) still use this connection to drop their schema when deleted; "+
			"the session stays open until they are gone: delete them, or set their spec.deletionPolicy to Retain", strings.Join(o.dependents, ", "))
	case len(o.conflicts) > 0 && !isProblem(o.connectErr):
		return metav1.ConditionFalse, cqlv1.ReasonDefaultConflict, fmt.Sprintf(
			"%s of this namespace are default connections too; keep exactly one (spec.default, or the namespace annotation cqlsync.io/default-cluster-connection)",
			strings.Join(o.conflicts, ", "))
	case o.connectErr != nil:
		c := engine.ClassifyConnection(o.connectErr)
		return metav1.ConditionFalse, c.Reason, o.connectErr.Error() + c.Hint
	case o.lazyPending:
		return metav1.ConditionTrue, cqlv1.ReasonNotConnectedYet,
			"spec.lazyConnect is set: the session opens when a Keyspace or TableModel first needs it"
	case o.info != nil:
		msg := fmt.Sprintf("connected to cluster %q: %d/%d hosts up", o.info.ClusterName, o.info.UpCount(), len(o.info.Hosts))
		if o.insecure {
			msg += "; WARNING: server certificates are not verified (spec.tls.insecureSkipVerify)"
		}
		return metav1.ConditionTrue, cqlv1.ReasonConnected, msg
	}
	return metav1.ConditionUnknown, cqlv1.ReasonConnectionFailed, "no outcome"
}

// setConnectionStatus writes the outcome into a connection's status, for its generation.
func setConnectionStatus(st *cqlv1.CassandraConnectionStatus, generation int64, o connOutcome) {
	status, reason, msg := connectionReady(o)
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{
		Type: cqlv1.ConditionReady, Status: status, Reason: reason, Message: msg,
		ObservedGeneration: generation,
	})
	cqlv1.SetHealthConditions(&st.Conditions, *meta.FindStatusCondition(st.Conditions, cqlv1.ConditionReady))
	switch {
	case o.info != nil:
		st.ClusterName = o.info.ClusterName
		if o.info.Tables >= 0 {
			st.Tables = int32(o.info.Tables)
		}
		if id := o.info.ID(); id != "" {
			st.ClusterID = id
		}
		st.Hosts = make([]cqlv1.HostStatus, 0, len(o.info.Hosts))
		for _, h := range o.info.Hosts {
			st.Hosts = append(st.Hosts, cqlv1.HostStatus{
				HostID: h.HostID, Address: h.Address, Datacenter: h.Datacenter, Rack: h.Rack, Up: h.Up,
				ReleaseVersion: h.ReleaseVersion, SchemaVersion: h.SchemaVersion,
			})
		}
	case o.connectErr != nil && engine.ClassifyConnection(o.connectErr).Reason == cqlv1.ReasonUnreachable:
		// Keep what we knew of the nodes, but none of them answers now.
		for i := range st.Hosts {
			st.Hosts[i].Up = false
		}
	case o.lazyPending:
		st.Hosts = nil
	}
	up := 0
	for _, h := range st.Hosts {
		if h.Up {
			up++
		}
	}
	st.HostsUp = fmt.Sprintf("%d/%d", up, len(st.Hosts))
	st.ObservedGeneration = generation
}

// isProblem reports whether err is a problem with the spec or a Secret: it is reported before a
// default conflict, which is reported before the cluster's own errors.
func isProblem(err error) bool {
	var p *engine.Problem
	return errors.As(err, &p)
}
