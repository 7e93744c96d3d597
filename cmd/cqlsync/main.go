// Command cqlsync is cqlsync's command line, also installed as kubectl-cqlsync so that
// `kubectl cqlsync ...` works.
//
//	cqlsync plan -f <file|dir>...   what the operator would run now, per resource and target
//	cqlsync import --host H | -f F  the resources that describe existing schema, to adopt it
//	cqlsync wait [-n NS|-A] [-l SEL] until every selected object is Ready; fails fast on Stalled
//	cqlsync backfill --split i/n NAME  copy and verify a share of a Backfill's splits
//
// It uses the operator's own planner, introspection and renderer (the engine's Plan in mode Preview), so what
// it prints is what the operator would execute.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cqlsync/cqlsync/controllers/backfill"
)

// Exit codes, as terraform's -detailed-exitcode.
const (
	exitNoChanges = 0
	exitError     = 1
	exitChanges   = 2
)

func main() {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	switch args[0] {
	case "plan":
		return runPlan(ctx, args[1:], stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], os.Stdin, stdout, stderr)
	case "wait":
		return runWait(ctx, args[1:], stdout, stderr)
	case "backfill":
		return backfill.Command(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return exitNoChanges
	}
	fmt.Fprintf(stderr, "cqlsync: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprint(w, `cqlsync manages Apache Cassandra schema declared as Kubernetes resources.

Commands:
  plan    print what the operator would run now for the manifests given, without running it
          (exit code 0: no changes, 2: changes pending, 1: an error, a Blocked target, or a
          target that cannot converge)
  import  write the Keyspaces, UserTypes and TableModels of existing schema, read from a live
          cluster (--host) or from cqlsh DESCRIBE output (-f), to adopt it without DDL
  wait    wait until every selected object (a namespace, -A, a label selector) is Ready,
          watching them all at once (exit code 0: all Ready, 2: one is Stalled and needs a
          person, 1: an error or the timeout); Backfills only with --kinds backfills
  backfill copy and verify a share of the splits of a Backfill (--split i/n), recording them
          in its status with what other workers record: n processes copy n times faster

Run 'cqlsync <command> -h' for the flags of a command.
`)
}
