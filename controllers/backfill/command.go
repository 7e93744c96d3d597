package backfill

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/backfill"
	"github.com/cqlsync/cqlsync/internal/engine"
)

// Command runs a worker from the command line: `cqlsync backfill` and `manager backfill` (the
// pods of a Backfill's Job) are this function. It returns the exit code: 0 when the share is
// verified, 1 on an error, 2 on bad flags.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var kubeconfig, namespace, name, split, operatorNS string
	fs.StringVar(&kubeconfig, "kubeconfig", "", "the kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the pod's service account)")
	fs.StringVar(&namespace, "namespace", "", "the Backfill's namespace (default: the kubeconfig's)")
	fs.StringVar(&namespace, "n", "", "short for --namespace")
	fs.StringVar(&name, "name", "", "the Backfill's name (or give it as the argument)")
	fs.StringVar(&split, "split", "0/1", "the share of the splits to copy and verify, i/n: the splits s with s mod n = i (in a Job's pod, i may be $JOB_COMPLETION_INDEX)")
	fs.StringVar(&operatorNS, "operator-namespace", envOr("POD_NAMESPACE", "cqlsync-system"), "the namespace of the Secrets of ClusterCassandraConnections that name no spec.secretsNamespace")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: cqlsync backfill [flags] NAME

Copies and verifies a share of the splits of the Backfill NAME, recording them in its status with
what other workers record: run n of them with --split 0/n ... --split (n-1)/n to copy with n
processes. It exits 0 once every split of its share is verified. The Backfill's own controller
(in the manager) does the same for all splits unless spec.workers is set.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	if i, n, ok := strings.Cut(split, "/"); ok && strings.HasPrefix(i, "$") {
		split = os.Getenv(strings.Trim(i, "$(){}")) + "/" + n
	}
	share, err := backfill.ParseShare(split)
	if name == "" || err != nil {
		if err != nil {
			fmt.Fprintln(stderr, "cqlsync backfill:", err)
		} else {
			fmt.Fprintln(stderr, "cqlsync backfill: name the Backfill")
		}
		fs.Usage()
		return 2
	}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig, Precedence: clientcmd.NewDefaultClientConfigLoadingRules().Precedence},
		&clientcmd.ConfigOverrides{})
	cfg, err := loader.ClientConfig()
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync backfill: no kubeconfig:", err)
		return 1
	}
	if namespace == "" {
		if namespace, _, err = loader.Namespace(); err != nil || namespace == "" {
			namespace = "default"
		}
	}
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(cqlv1.AddToScheme(scheme))
	c, err := workerClient(ctx, cfg, scheme, operatorNS)
	if err != nil {
		fmt.Fprintln(stderr, "cqlsync backfill:", err)
		return 1
	}
	log := zap.New(zap.WriteTo(stderr)).WithName("backfill").WithValues("backfill", namespace+"/"+name, "share", share.String())
	w := &Worker{Client: c, Namespace: namespace, Name: name, Share: share, OperatorNamespace: operatorNS, Log: log}
	if err := w.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "cqlsync backfill:", err)
		return 1
	}
	fmt.Fprintf(stdout, "Backfill %s/%s: every split of share %s is copied and verified\n", namespace, name, share)
	return 0
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// workerClient is a client whose reads of connections, keyspaces, table models and namespaces go
// through a cache with the engine's field indexes (the keyspace rules list by them, which the API
// server cannot); Backfills and Secrets are read from the API server.
func workerClient(ctx context.Context, cfg *rest.Config, scheme *runtime.Scheme, operatorNS string) (client.Client, error) {
	ca, err := cache.New(cfg, cache.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	if err := engine.RegisterIndexes(ctx, ca, operatorNS); err != nil {
		return nil, err
	}
	go func() { _ = ca.Start(ctx) }()
	if !ca.WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("the cache did not sync")
	}
	return client.New(cfg, client.Options{Scheme: scheme, Cache: &client.CacheOptions{Reader: ca,
		DisableFor: []client.Object{&corev1.Secret{}, &cqlv1.Backfill{}}}})
}
