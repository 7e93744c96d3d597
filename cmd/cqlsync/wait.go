package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// Exit codes of `cqlsync wait`.
const (
	waitReady   = 0 // every object is Ready for its current generation
	waitFailed  = 1 // an error, or the timeout
	waitStalled = 2 // an object is Stalled: nothing will change without a person
)

// waitKinds are the kinds `cqlsync wait` can wait for, by the names users type.
var waitKinds = map[string]func() client.ObjectList{
	"keyspaces":                   func() client.ObjectList { return &cqlv1.KeyspaceList{} },
	"tablemodels":                 func() client.ObjectList { return &cqlv1.TableModelList{} },
	"usertypes":                   func() client.ObjectList { return &cqlv1.UserTypeList{} },
	"cassandraroles":              func() client.ObjectList { return &cqlv1.CassandraRoleList{} },
	"cassandraconnections":        func() client.ObjectList { return &cqlv1.CassandraConnectionList{} },
	"clustercassandraconnections": func() client.ObjectList { return &cqlv1.ClusterCassandraConnectionList{} },
	// Not waited for by default: a copy may take hours.
	"backfills": func() client.ObjectList { return &cqlv1.BackfillList{} },
}

// runWait waits, with one watch per kind, until every selected object is Ready for its current
// generation, and fails fast when one is Stalled. kubectl wait --all waits for one object after
// the other; this reads every change of every object as it comes.
func runWait(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wait", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		namespace, selector, kubeconfig, kinds string
		all                                    bool
		timeout                                time.Duration
	)
	fs.StringVar(&namespace, "n", "", "the namespace (default: the kubeconfig's)")
	fs.BoolVar(&all, "A", false, "every namespace")
	fs.StringVar(&selector, "l", "", "a label selector (kubectl's syntax)")
	fs.StringVar(&kinds, "kinds", "keyspaces,tablemodels,usertypes,cassandraconnections", "the kinds to wait for, comma separated: "+strings.Join(slices.Sorted(maps.Keys(waitKinds)), ", "))
	fs.DurationVar(&timeout, "timeout", 10*time.Minute, "how long to wait at most")
	fs.StringVar(&kubeconfig, "kubeconfig", "", "the kubeconfig (default: $KUBECONFIG, ~/.kube/config)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: cqlsync wait [-n NAMESPACE | -A] [-l SELECTOR] [--kinds K,...] [--timeout D]

Waits until every selected cqlsync object is Ready for its current generation, watching all of
them at once. Exit code 0: all Ready; 2: an object is Stalled (it needs a person: a Blocked change,
invalid input, a plan waiting for approval...), named with its reason and message; 1: an error,
or the timeout, with the objects not Ready yet.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return waitReady
		}
		return waitFailed
	}
	sel, err := labels.Parse(selector)
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync wait: -l:", err)
		return waitFailed
	}
	var lists []string
	for _, k := range strings.Split(kinds, ",") {
		k = strings.TrimSpace(strings.ToLower(k))
		if _, ok := waitKinds[k]; !ok {
			fmt.Fprintf(stderr, "cqlsync wait: --kinds: unknown kind %q\n", k)
			return waitFailed
		}
		lists = append(lists, k)
	}
	cfg := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig, Precedence: clientcmd.NewDefaultClientConfigLoadingRules().Precedence},
		&clientcmd.ConfigOverrides{})
	rc, err := cfg.ClientConfig()
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync wait: no kubeconfig:", err)
		return waitFailed
	}
	if namespace == "" && !all {
		namespace, _, _ = cfg.Namespace()
	}
	if all {
		namespace = ""
	}
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = cqlv1.AddToScheme(scheme)
	c, err := client.NewWithWatch(rc, client.Options{Scheme: scheme})
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync wait:", err)
		return waitFailed
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return waitFor(ctx, c, lists, namespace, sel, stdout, stderr)
}

// objectHealth is where one object stands.
type objectHealth struct {
	ready   bool
	stalled *metav1.Condition
	// why says what it waits for (Ready's reason and message), for the timeout's report.
	why string
}

// healthOf reads an object's health from its conditions, for its current generation.
func healthOf(o client.Object, conds []metav1.Condition) objectHealth {
	if cqlv1.IsReadyFor(conds, o.GetGeneration()) {
		return objectHealth{ready: true}
	}
	h := objectHealth{why: "not reconciled yet"}
	if r := meta.FindStatusCondition(conds, cqlv1.ConditionReady); r != nil {
		h.why = r.Reason + ": " + r.Message
	}
	if s := meta.FindStatusCondition(conds, cqlv1.ConditionStalled); s != nil && s.Status == metav1.ConditionTrue && s.ObservedGeneration == o.GetGeneration() {
		h.stalled = s
	}
	return h
}

// conditionsOf are the status conditions of a cqlsync object.
func conditionsOf(o runtime.Object) ([]metav1.Condition, bool) {
	switch v := o.(type) {
	case *cqlv1.Keyspace:
		return v.Status.Conditions, true
	case *cqlv1.TableModel:
		return v.Status.Conditions, true
	case *cqlv1.UserType:
		return v.Status.Conditions, true
	case *cqlv1.CassandraRole:
		return v.Status.Conditions, true
	case *cqlv1.CassandraConnection:
		return v.Status.Conditions, true
	case *cqlv1.ClusterCassandraConnection:
		return v.Status.Conditions, true
	case *cqlv1.Backfill:
		return v.Status.Conditions, true
	}
	return nil, false
}

// waitFor lists and watches each kind, and decides as soon as every object is Ready or one is
// Stalled.
func waitFor(ctx context.Context, c client.WithWatch, kinds []string, namespace string, sel labels.Selector, stdout, stderr io.Writer) int {
	var mu sync.Mutex
	state := map[string]objectHealth{} // "kind namespace/name"
	changed := make(chan struct{}, 1)
	errs := make(chan error, len(kinds))
	listed := 0
	update := func(kind string, o client.Object, deleted bool) {
		conds, ok := conditionsOf(o)
		if !ok {
			return
		}
		key := kind + " " + client.ObjectKeyFromObject(o).String()
		mu.Lock()
		if deleted {
			delete(state, key)
		} else {
			state[key] = healthOf(o, conds)
		}
		mu.Unlock()
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	for _, kind := range kinds {
		opts := []client.ListOption{client.MatchingLabelsSelector{Selector: sel}}
		if namespace != "" && kind != "clustercassandraconnections" { // cluster-scoped: in no namespace
			opts = append(opts, client.InNamespace(namespace))
		}
		list := waitKinds[kind]()
		if err := c.List(ctx, list, opts...); err != nil {
			fmt.Fprintf(stderr, "cqlsync wait: listing %s: %v\n", kind, err)
			return waitFailed
		}
		_ = meta.EachListItem(list, func(o runtime.Object) error {
			update(kind, o.(client.Object), false)
			return nil
		})
		w, err := c.Watch(ctx, waitKinds[kind](), append(opts, &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: list.GetResourceVersion()}})...)
		if err != nil {
			fmt.Fprintf(stderr, "cqlsync wait: watching %s: %v\n", kind, err)
			return waitFailed
		}
		defer w.Stop()
		listed++
		go func(kind string, w watch.Interface) {
			for ev := range w.ResultChan() {
				switch ev.Type {
				case watch.Added, watch.Modified:
					update(kind, ev.Object.(client.Object), false)
				case watch.Deleted:
					update(kind, ev.Object.(client.Object), true)
				case watch.Error:
					errs <- fmt.Errorf("watching %s: %v", kind, ev.Object)
					return
				}
			}
		}(kind, w)
	}
	select { // decide once on what the lists said, even if no event ever comes
	case changed <- struct{}{}:
	default:
	}
	for {
		select {
		case <-changed:
			mu.Lock()
			var stalled, waiting []string
			for key, h := range state {
				switch {
				case h.stalled != nil:
					stalled = append(stalled, fmt.Sprintf("%s: Stalled: %s: %s", key, h.stalled.Reason, h.stalled.Message))
				case !h.ready:
					waiting = append(waiting, key+": "+h.why)
				}
			}
			n := len(state)
			mu.Unlock()
			if len(stalled) > 0 {
				sort.Strings(stalled)
				fmt.Fprintln(stdout, strings.Join(stalled, "\n"))
				return waitStalled
			}
			if len(waiting) == 0 {
				fmt.Fprintf(stdout, "%d object(s) Ready\n", n)
				return waitReady
			}
		case err := <-errs:
			fmt.Fprintln(stderr, "cqlsync wait:", err)
			return waitFailed
		case <-ctx.Done():
			mu.Lock()
			var waiting []string
			for key, h := range state {
				if !h.ready {
					waiting = append(waiting, key+": "+h.why)
				}
			}
			mu.Unlock()
			sort.Strings(waiting)
			fmt.Fprintf(stderr, "cqlsync wait: timed out; %d object(s) not Ready:\n%s\n", len(waiting), strings.Join(waiting, "\n"))
			return waitFailed
		}
	}
}
