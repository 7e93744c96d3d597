package integration

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// The helpers of this file serve every kind the tests create, once: the type argument names the
// kind, as in getObject[cqlv1.TableModel](ns, name) or waitSchema[cqlv1.Keyspace](...).

// objectPtr is a pointer to an API object type: *cqlv1.Keyspace for T = cqlv1.Keyspace.
type objectPtr[T any] interface {
	*T
	client.Object
}

// schemaPtr is a pointer to a Keyspace, a TableModel or a UserType: the kinds of the schema
// reconciler, whose status they share (cqlv1.SchemaStatus).
type schemaPtr[T any] interface {
	*T
	cqlv1.SchemaObject
}

// getObject reads the object of type T.
func getObject[T any, P objectPtr[T]](ns, name string) (P, error) {
	obj := P(new(T))
	err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj)
	return obj, err
}

// sampleObject reads a sample of config/samples, which must be an object of type T.
func sampleObject[T any, P objectPtr[T]](t *testing.T, file string) P {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "samples", file))
	if err != nil {
		t.Fatal(err)
	}
	obj := P(new(T))
	if err := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096).Decode(obj); err != nil {
		t.Fatalf("decoding %s: %v", file, err)
	}
	if kind := kindOf(obj); obj.GetObjectKind().GroupVersionKind().Kind != kind || obj.GetName() == "" {
		t.Fatalf("%s: not a %s: %+v", file, kind, obj.GetObjectKind())
	}
	return obj
}

// kindOf is the kind of an object's type, for messages.
func kindOf(obj client.Object) string {
	if gvk, err := apiutil.GVKForObject(obj, k8s.Scheme()); err == nil {
		return gvk.Kind
	}
	return fmt.Sprintf("%T", obj)
}

// waitCondition waits for the object's Ready condition (of those conditions returns) to have the
// status and reason and to describe the current generation, and for check (when given) to pass;
// it returns the object.
func waitCondition[T any, P objectPtr[T]](t *testing.T, ns, name string, status metav1.ConditionStatus, reason string, timeout time.Duration,
	conditions func(P) []metav1.Condition, check func(P) error) P {
	t.Helper()
	var obj P
	eventually(t, timeout, func() error {
		var err error
		if obj, err = getObject[T, P](ns, name); err != nil {
			return err
		}
		c := meta.FindStatusCondition(conditions(obj), cqlv1.ConditionReady)
		if c == nil {
			return fmt.Errorf("%s %s/%s has no Ready condition yet", kindOf(obj), ns, name)
		}
		if c.Status != status || c.Reason != reason || c.ObservedGeneration != obj.GetGeneration() {
			return fmt.Errorf("%s %s/%s Ready=%s reason=%s gen=%d/%d message=%q; want %s %s",
				kindOf(obj), ns, name, c.Status, c.Reason, c.ObservedGeneration, obj.GetGeneration(), c.Message, status, reason)
		}
		if check != nil {
			return check(obj)
		}
		return nil
	})
	return obj
}

// waitSchema is waitCondition for a Keyspace, a TableModel or a UserType, whose
// status.observedGeneration must be the current generation too.
func waitSchema[T any, P schemaPtr[T]](t *testing.T, ns, name string, status metav1.ConditionStatus, reason string, timeout time.Duration,
	check func(P) error) P {
	t.Helper()
	return waitCondition[T, P](t, ns, name, status, reason, timeout,
		func(obj P) []metav1.Condition { return obj.Schema().Conditions },
		func(obj P) error {
			if g := obj.Schema().ObservedGeneration; g != obj.GetGeneration() {
				return fmt.Errorf("%s %s/%s status.observedGeneration %d, generation %d", kindOf(obj), ns, name, g, obj.GetGeneration())
			}
			if check != nil {
				return check(obj)
			}
			return nil
		})
}

// updateObject re-reads the object, applies change and updates it, retrying on conflicts, and
// returns it as updated. The type of change names the kind.
func updateObject[T any, P objectPtr[T]](t *testing.T, ns, name string, change func(P)) P {
	t.Helper()
	var obj P
	eventually(t, 10*time.Second, func() error {
		var err error
		if obj, err = getObject[T, P](ns, name); err != nil {
			return err
		}
		change(obj)
		return k8s.Update(ctx, obj)
	})
	return obj
}

// resourceVersion is the object's current resourceVersion.
func resourceVersion[T any, P objectPtr[T]](t *testing.T, ns, name string) string {
	t.Helper()
	obj, err := getObject[T, P](ns, name)
	if err != nil {
		t.Fatal(err)
	}
	return obj.GetResourceVersion()
}

// schemaTarget returns the status target of a connection and keyspace: the keyspace of a
// TableModel's or a UserType's target, "" for a Keyspace's (its targets are one per connection).
func schemaTarget(obj cqlv1.SchemaObject, conn, keyspace string) (cqlv1.TargetStatus, error) {
	targets := obj.Schema().Targets
	for _, tg := range targets {
		if tg.Connection == conn && tg.Keyspace == keyspace {
			return tg, nil
		}
	}
	return cqlv1.TargetStatus{}, fmt.Errorf("%s %s has no target %s/%s: %+v", kindOf(obj), obj.GetName(), conn, keyspace, targets)
}

// mustTarget is schemaTarget, failing the test when there is no such target.
func mustTarget(t *testing.T, obj cqlv1.SchemaObject, conn, keyspace string) cqlv1.TargetStatus {
	t.Helper()
	tg, err := schemaTarget(obj, conn, keyspace)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// objectEvents lists the events about the object of the kind and name in the namespace.
func objectEvents(ns, kind, name string) ([]eventsv1.Event, error) {
	var list eventsv1.EventList
	if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	var out []eventsv1.Event
	for _, e := range list.Items {
		if e.Regarding.Kind == kind && e.Regarding.Name == name {
			out = append(out, e)
		}
	}
	return out, nil
}

// waitObjectEvent waits for an event about the object with the reason and a note saying every
// fragment, and returns it.
func waitObjectEvent(t *testing.T, ns, kind, name, reason string, fragments ...string) eventsv1.Event {
	t.Helper()
	var found eventsv1.Event
	eventually(t, 30*time.Second, func() error {
		evs, err := objectEvents(ns, kind, name)
		if err != nil {
			return err
		}
		var seen []string
	next:
		for _, e := range evs {
			seen = append(seen, e.Reason+": "+e.Note)
			if e.Reason != reason {
				continue
			}
			for _, f := range fragments {
				if !strings.Contains(e.Note, f) {
					continue next
				}
			}
			found = e
			return nil
		}
		return fmt.Errorf("no %s event saying %q about %s %s; events: %q", reason, fragments, kind, name, seen)
	})
	return found
}
