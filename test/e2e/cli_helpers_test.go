package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runCLI runs the cqlsync CLI with the kubeconfig, checks its exit code, and returns its stdout.
func runCLI(t testing.TB, cli, kubeconfig string, wantExit int, args ...string) string {
	t.Helper()
	cmd := exec.Command(cli, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != wantExit {
		t.Fatalf("cqlsync %s: exit %d, want %d\n%s\n%s", strings.Join(args, " "), code, wantExit, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// namespaceManifest is a namespace with a default CassandraConnection c1 to host and a Keyspace
// ks (SimpleStrategy, RF 1) named keyspace.
func namespaceManifest(ns, host, keyspace string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %[1]s}
---
apiVersion: cqlsync.io/v1alpha1
kind: CassandraConnection
metadata: {name: c1, namespace: %[1]s}
spec: {hosts: [%[2]q], default: true}
---
apiVersion: cqlsync.io/v1alpha1
kind: Keyspace
metadata: {name: ks, namespace: %[1]s}
spec: {name: %[3]s, replication: {strategy: SimpleStrategy, replicationFactor: 1}}
`, ns, host, keyspace)
}
