package testenv

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/test/rig/localenv"
)

// BulkClient is a client of cfg's API server that knows the core and cqlsync kinds, without the
// client-side rate limit's default 5 QPS: for tests and benchmarks that create hundreds of objects.
// It can watch: waiting for hundreds of objects by polling lists would load the API server more
// than the operator does.
func BulkClient(t testing.TB, cfg *rest.Config) client.WithWatch {
	t.Helper()
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 500, 1000
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := cqlv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// LocalEnv starts a local environment (test/rig/localenv: kube-apiserver, etcd,
// kube-controller-manager, the manager's identity) for the test, and stops it when the test ends.
// Every process it starts is recorded (RecordPID) and, when started is set, passed to it.
func LocalEnv(t testing.TB, started func(pid int)) *localenv.Env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env, err := localenv.Start(ctx, localenv.Options{Root: RepoRoot(), BinDir: BinDir(), Dir: t.TempDir(), TokenTTL: 2 * time.Hour,
		Started: func(pid int) {
			RecordPID(pid)
			if started != nil {
				started(pid)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping the local environment: %v", err)
		}
	})
	return env
}
