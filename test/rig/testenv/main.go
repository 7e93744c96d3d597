package testenv

import (
	"os"
	"testing"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// Main runs a package's tests (call it from TestMain) after giving controller-runtime's logger,
// which envtest logs through, a sink that discards: without one, controller-runtime prints a stack
// trace into the tests' output 30 seconds in, which reads like a failure. The tests report what
// matters themselves, and show the manager's own logs when they fail.
func Main(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	os.Exit(m.Run())
}
