package packaging

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/cqlsync/cqlsync/test/rig/image"
)

// The image `make image` builds, once per test binary, into a temporary directory: the other
// engineers' bin/image/cqlsync.tar is left alone.
var built struct {
	once            sync.Once
	tarball, digest string
	err             error
}

func builtImage(t *testing.T) (tarball, digest string) {
	t.Helper()
	built.once.Do(func() {
		dir, err := testTempDir()
		if err != nil {
			built.err = err
			return
		}
		built.tarball = filepath.Join(dir, "image-a", "cqlsync.tar")
		built.digest = image.Build(t, built.tarball)
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	if built.digest == "" {
		t.Fatal("an earlier test could not build the image")
	}
	return built.tarball, built.digest
}

// TestImage checks what `make image` builds, as the Dockerfile describes it and as
// config/manager and dist/chart run it (they give args only, so the entrypoint is the command):
// an OCI image index for linux/amd64 and linux/arm64 whose images run /manager as 65532:65532,
// a static binary owned by root and executable by everyone, with Debian's CA certificates, the
// nonroot user's entries and the commit in the labels; and that the manager of this machine's architecture (amd64 here and in CI) runs.
func TestImage(t *testing.T) {
	tarball, digest := builtImage(t)
	idx, _ := image.Index(t, tarball)
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if d.String() != digest {
		t.Errorf("make image printed %s, the archive's index is %s", digest, d)
	}
	if mt, _ := idx.MediaType(); mt != types.OCIImageIndex {
		t.Errorf("index media type %s, want %s", mt, types.OCIImageIndex)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, m := range im.Manifests {
		platforms = append(platforms, m.Platform.String())
	}
	if want := []string{"linux/amd64", "linux/arm64/v8"}; !slices.Equal(platforms, want) {
		t.Errorf("platforms %v, want %v", platforms, want)
	}
	revision := strings.TrimSpace(string(runOut(t, "git", "rev-parse", "HEAD")))
	created := strings.TrimSpace(string(runOut(t, "git", "log", "-1", "--format=%ct", "HEAD")))
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		created = epoch
	}

	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			img := image.Image(t, idx, arch)
			if mt, _ := img.MediaType(); mt != types.OCIManifestSchema1 {
				t.Errorf("manifest media type %s", mt)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cf.OS != "linux" || cf.Architecture != arch {
				t.Errorf("config platform %s/%s, want linux/%s", cf.OS, cf.Architecture, arch)
			}
			c := cf.Config
			if c.User != "65532:65532" {
				t.Errorf("User %q, want the Dockerfile's 65532:65532", c.User)
			}
			if !slices.Equal(c.Entrypoint, []string{"/manager"}) || len(c.Cmd) != 0 {
				t.Errorf("Entrypoint %q Cmd %q, want [/manager] and none: config/manager and dist/chart give args only", c.Entrypoint, c.Cmd)
			}
			if c.WorkingDir != "/home/nonroot" {
				t.Errorf("WorkingDir %q", c.WorkingDir)
			}
			if c.Labels["org.opencontainers.image.revision"] != revision ||
				!strings.HasPrefix(c.Labels["org.opencontainers.image.source"], "https://github.com/cqlsync/") {
				t.Errorf("labels %v: want the revision %s and the source", c.Labels, revision)
			}
			if got := strconv.FormatInt(cf.Created.Unix(), 10); got != created || cf.Created.Nanosecond() != 0 {
				t.Errorf("created %s (%s), want the commit's time %s", cf.Created, got, created)
			}
			if c.Labels["org.opencontainers.image.created"] != cf.Created.UTC().Format(time.RFC3339) {
				t.Errorf("label org.opencontainers.image.created %q, want %s", c.Labels["org.opencontainers.image.created"], cf.Created.UTC().Format(time.RFC3339))
			}
			for _, h := range cf.History {
				if !h.Created.Equal(cf.Created.Time) {
					t.Errorf("history %q created %s, want %s", h.CreatedBy, h.Created, cf.Created)
				}
			}

			files := image.Files(t, img, "/manager", "/etc/ssl/certs/ca-certificates.crt", "/etc/passwd")
			bin, ok := files["/manager"]
			if !ok {
				t.Fatal("no /manager in the image")
			}
			if h := bin.Header; h.Typeflag != tar.TypeReg || h.Mode&0o777 != 0o755 || h.Uid != 0 || h.Gid != 0 {
				t.Errorf("/manager: type %c mode %o owner %d:%d, want a file 0755 0:0 (as the Dockerfile's COPY leaves it: runnable by 65532, not replaceable by it)", h.Typeflag, h.Mode, h.Uid, h.Gid)
			}
			ef, err := elf.NewFile(bytes.NewReader(bin.Body))
			if err != nil {
				t.Fatalf("/manager: %v", err)
			}
			if want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]; ef.Machine != want {
				t.Errorf("/manager is built for %s, want %s", ef.Machine, want)
			}
			for _, p := range ef.Progs {
				if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
					t.Errorf("/manager has a %s program header: it should be static (CGO_ENABLED=0)", p.Type)
				}
			}
			for p, h := range files {
				if h.Header.ModTime.Unix() != cf.Created.Unix() {
					t.Errorf("%s dated %s, want the commit's time", p, h.Header.ModTime)
				}
			}
			if h := files["/home/nonroot"].Header; h == nil || h.Uid != 65532 || h.Gid != 65532 {
				t.Errorf("/home/nonroot: %+v, want a directory of 65532:65532", h)
			}
			if h := files["/tmp"].Header; h == nil || h.Mode&0o1777 != 0o1777 {
				t.Errorf("/tmp: %+v, want mode 1777", h)
			}
			if !strings.Contains(string(files["/etc/passwd"].Body), "nonroot:x:65532:65532:") {
				t.Error("/etc/passwd names no nonroot user 65532")
			}
			certs := files["/etc/ssl/certs/ca-certificates.crt"].Body
			n := strings.Count(string(certs), "-----BEGIN CERTIFICATE-----")
			if !x509.NewCertPool().AppendCertsFromPEM(certs) || n < 100 {
				t.Errorf("/etc/ssl/certs/ca-certificates.crt: %d certificates, want Debian's (over 100)", n)
			}
		})
	}

	t.Run("manager runs", func(t *testing.T) {
		if runtime.GOOS != "linux" || !slices.Contains([]string{"amd64", "arm64"}, runtime.GOARCH) {
			t.Skipf("the image has no manager that runs on %s/%s", runtime.GOOS, runtime.GOARCH)
		}
		bin := image.ExtractManager(t, tarball, runtime.GOARCH)
		out, err := exec.Command(bin, "--help").CombinedOutput()
		if err != nil {
			t.Fatalf("%s --help: %v\n%s", bin, err, out)
		}
		for _, flag := range []string{"-leader-elect", "-metrics-bind-address", "-health-probe-bind-address", "-watch-namespaces"} {
			if !strings.Contains(string(out), flag) {
				t.Errorf("--help names no %s:\n%s", flag, out)
			}
		}
	})
}

// TestImageReproducible builds the image a second time, into another directory, and wants the
// same bytes: the same index.json, image index, manifests, configs and layers.
func TestImageReproducible(t *testing.T) {
	a, digestA := builtImage(t)
	b := filepath.Join(t.TempDir(), "cqlsync.tar")
	digestB := image.Build(t, b)
	if digestA != digestB {
		t.Errorf("two builds of one commit gave image indexes %s and %s", digestA, digestB)
	}
	_, pa := image.Index(t, a)
	_, pb := image.Index(t, b)
	if ia, ib := readFile(t, filepath.Join(string(pa), "index.json")), readFile(t, filepath.Join(string(pb), "index.json")); ia != ib {
		t.Errorf("index.json differs:\n%s\n%s", ia, ib)
	}
	if readFile(t, a) != readFile(t, b) {
		t.Error("the two archives differ byte for byte")
	}
	t.Logf("image index %s (both builds)", digestA)
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func runOut(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = image.RepoRoot()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}
