package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/cqlsync/cqlsync/test/rig/image"
)

var (
	imageOnce    sync.Once
	imageManager string
	imageErr     string
)

// ManagerBinary is the manager binary the tests run: the one taken out of the container image that
// `make image` builds, for this machine's architecture, so that what users pull is what the e2e
// suite tests. It is built and extracted once per test binary (a warm `make image` takes seconds).
// CQLSYNC_TEST_MANAGER=source builds it from source instead, for a quicker loop while developing.
func ManagerBinary(t testing.TB) string {
	t.Helper()
	if os.Getenv("CQLSYNC_TEST_MANAGER") == "source" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		return BuildOnce(t, "manager", "./cmd")
	}
	imageOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cqlsync-test-image-")
		if err != nil {
			imageErr = err.Error()
			return
		}
		tarball := filepath.Join(dir, "cqlsync.tar")
		image.Build(t, tarball)
		extracted := image.ExtractManager(t, tarball, runtime.GOARCH) // in t's temporary directory
		data, err := os.ReadFile(extracted)
		if err != nil {
			imageErr = err.Error()
			return
		}
		imageManager = filepath.Join(dir, "manager")
		if err := os.WriteFile(imageManager, data, 0o755); err != nil {
			imageErr = err.Error()
		}
		t.Logf("the manager under test is the linux/%s binary of the image built by make image (%s)", runtime.GOARCH, tarball)
	})
	if imageErr != "" || imageManager == "" {
		t.Fatalf("taking the manager out of the image: %s", imageErr)
	}
	return imageManager
}
