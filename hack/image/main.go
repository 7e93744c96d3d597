// Command image builds the manager's container image without a container engine: an OCI image
// index for linux/amd64 and linux/arm64, written as an OCI image layout in a tar archive
// (`make image`: bin/image/cqlsync.tar). docs/image.md says how to load or push it.
//
// Each platform's image holds what the Dockerfile's does: the manager, a static binary
// (CGO_ENABLED=0), at /manager, run as 65532:65532 (distroless' nonroot user, with /etc/passwd and
// /etc/group naming it) in /home/nonroot, and Debian's CA certificates in
// /etc/ssl/certs/ca-certificates.crt.
//
// Two builds of one commit give the same bytes, so the same digests: every time in the image (tar
// entries, the config's created, history) is the commit's time (or $SOURCE_DATE_EPOCH), tar
// entries are written in a fixed order with fixed owners and modes, the binary is built with
// -trimpath, -buildvcs=false and an empty build ID, and the CA certificates come from one cached
// Debian package (hack/image/ca-certificates.sh). What still changes the digest: the Go toolchain's
// version, the ca-certificates package's version, and an uncommitted change to the manager's sources.
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// Entrypoint is where the manager is, as config/manager and dist/chart run it: they give
	// args only, so the image's entrypoint is the command.
	Entrypoint = "/manager"
	// User is distroless' nonroot user and group, as in the Dockerfile; numeric, so that the
	// kubelet can check the Deployments' runAsNonRoot.
	User       = "65532:65532"
	WorkingDir = "/home/nonroot"
	caBundle   = "etc/ssl/certs/ca-certificates.crt"
)

func main() {
	out := flag.String("o", "bin/image/cqlsync.tar", "the OCI archive to write")
	platforms := flag.String("platforms", "linux/amd64,linux/arm64", "comma-separated platforms of the image index")
	name := flag.String("name", "cqlsync:latest", "the image name recorded in the archive's index.json, which `docker load` and `podman load` tag the image with")
	source := flag.String("source", "https://github.com/cqlsync/cqlsync", "the org.opencontainers.image.source label")
	cache := flag.String("cache", "bin/image/cache", "where the Debian ca-certificates package is kept between builds")
	flag.Parse()
	if err := run(*out, strings.Split(*platforms, ","), *name, *source, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "hack/image:", err)
		os.Exit(1)
	}
}

func run(out string, platforms []string, name, source, cache string) error {
	start := time.Now()
	root, err := repoRoot()
	if err != nil {
		return err
	}
	revision, created, err := commit(root)
	if err != nil {
		return err
	}
	if !filepath.IsAbs(cache) {
		cache = filepath.Join(root, cache)
	}
	certs, caVersion, err := caCertificates(root, cache)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "cqlsync-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	var plats []v1.Platform
	for _, p := range platforms {
		os, arch, ok := strings.Cut(strings.TrimSpace(p), "/")
		if !ok || os != "linux" {
			return fmt.Errorf("platform %q: only linux/ARCH is supported", p)
		}
		plat := v1.Platform{OS: os, Architecture: arch}
		if arch == "arm64" {
			plat.Variant = "v8" // as docker buildx and the distroless images record it
		}
		plats = append(plats, plat)
	}
	binaries, err := buildManagers(root, work, plats)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "hack/image: built the manager for %s in %s\n", strings.Join(platforms, ", "), time.Since(start).Round(time.Second))

	labels := map[string]string{
		"org.opencontainers.image.title":       "cqlsync",
		"org.opencontainers.image.description": "cqlsync manager: keeps Cassandra keyspaces, tables and types in line with Kubernetes resources",
		"org.opencontainers.image.source":      source,
		"org.opencontainers.image.revision":    revision,
		"org.opencontainers.image.created":     created.Format(time.RFC3339),
	}
	base, err := layer(baseFiles(certs), created)
	if err != nil {
		return err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for i, plat := range plats {
		bin, err := os.ReadFile(binaries[i])
		if err != nil {
			return err
		}
		app, err := layer([]file{{name: strings.TrimPrefix(Entrypoint, "/"), mode: 0o755, body: bin}}, created)
		if err != nil {
			return err
		}
		img, err := image(plat, base, app, created, labels, caVersion)
		if err != nil {
			return err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &plat}})
	}
	idx = mutate.Annotations(idx, labels).(v1.ImageIndex)

	layoutDir := filepath.Join(work, "layout")
	p, err := layout.Write(layoutDir, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendIndex(idx, layout.WithAnnotations(refAnnotations(name))); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := tarDir(layoutDir, out+".tmp", created); err != nil {
		return err
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	indexJSON, err := os.ReadFile(filepath.Join(layoutDir, "index.json"))
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "hack/image: wrote %s in %s: revision %s, created %s, CA certificates of Debian ca-certificates %s\n",
		out, time.Since(start).Round(time.Second), revision, created.Format(time.RFC3339), caVersion)
	fmt.Fprintf(os.Stderr, "hack/image: index.json %s\n", v1sha256(indexJSON))
	fmt.Printf("%s\n", digest) // the image index's digest: what a registry serves the pushed image as
	return nil
}

// repoRoot is the directory of the main module's go.mod.
func repoRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(b))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run from inside the cqlsync module")
	}
	return filepath.Dir(gomod), nil
}

// commit is HEAD's hash and time; $SOURCE_DATE_EPOCH, where set, is the time instead.
func commit(root string) (string, time.Time, error) {
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		b, err := cmd.Output()
		if err != nil {
			return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	revision, err := git("rev-parse", "HEAD")
	if err != nil {
		return "", time.Time{}, err
	}
	epoch := os.Getenv("SOURCE_DATE_EPOCH")
	if epoch == "" {
		if epoch, err = git("log", "-1", "--format=%ct", "HEAD"); err != nil {
			return "", time.Time{}, err
		}
	}
	secs, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("commit time %q: %w", epoch, err)
	}
	// What the image's manager is built from; a change there makes the image differ from the commit.
	status := exec.Command("git", "status", "--porcelain", "--", "go.mod", "go.sum", "cmd", "api", "controllers", "internal", ":!*_test.go")
	status.Dir = root
	if st, err := status.Output(); err == nil && len(st) > 0 {
		fmt.Fprintf(os.Stderr, "hack/image: warning: uncommitted changes to the manager's sources; the image is not that of %s:\n%s", revision, st)
	}
	return revision, time.Unix(secs, 0).UTC(), nil
}

// caCertificates is Debian's CA bundle, as update-ca-certificates writes it from the package's
// certificates alone, and the package's version.
func caCertificates(root, cache string) ([]byte, string, error) {
	cmd := exec.Command(filepath.Join(root, "hack", "image", "ca-certificates.sh"), cache)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("hack/image/ca-certificates.sh: %w", err)
	}
	dir, version, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	if !ok {
		return nil, "", fmt.Errorf("hack/image/ca-certificates.sh printed %q", b)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.crt"))
	if err != nil {
		return nil, "", err
	}
	slices.Sort(names)
	var bundle bytes.Buffer
	for _, n := range names {
		pem, err := os.ReadFile(n)
		if err != nil {
			return nil, "", err
		}
		bundle.Write(pem)
		if len(pem) > 0 && pem[len(pem)-1] != '\n' {
			bundle.WriteByte('\n')
		}
	}
	if len(names) < 50 {
		return nil, "", fmt.Errorf("only %d certificates in %s", len(names), dir)
	}
	return bundle.Bytes(), version, nil
}

// buildManagers cross-compiles ./cmd for each platform, concurrently: the links, which take most
// of a warm build, run on one core each.
func buildManagers(root, work string, plats []v1.Platform) ([]string, error) {
	out := make([]string, len(plats))
	errs := make([]error, len(plats))
	var wg sync.WaitGroup
	for i, plat := range plats {
		out[i] = filepath.Join(work, "manager-"+plat.Architecture)
		wg.Go(func() {
			cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", out[i], "./cmd")
			cmd.Dir = root
			cmd.Env = append(os.Environ(),
				"CGO_ENABLED=0", "GOOS="+plat.OS, "GOARCH="+plat.Architecture,
				// The defaults, stated so that a developer's environment does not change the binary.
				"GOAMD64=v1", "GOARM64=v8.0", "GOFLAGS=-mod=readonly", "GOEXPERIMENT=")
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = os.Stderr, &stderr
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("go build ./cmd for %s/%s: %w\n%s", plat.OS, plat.Architecture, err, stderr.Bytes())
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

type file struct {
	name     string // without a leading slash; a directory's ends with one
	mode     int64
	uid, gid int
	body     []byte
}

// baseFiles is what distroless' static:nonroot gives the Dockerfile's image that the manager may
// use: the users, CA certificates, the nonroot user's home and /tmp.
func baseFiles(certs []byte) []file {
	return []file{
		{name: "etc/", mode: 0o755},
		{name: "etc/group", mode: 0o644, body: []byte("root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n")},
		{name: "etc/passwd", mode: 0o644, body: []byte("root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "etc/ssl/", mode: 0o755},
		{name: "etc/ssl/certs/", mode: 0o755},
		{name: caBundle, mode: 0o644, body: certs},
		{name: "home/", mode: 0o755},
		{name: "home/nonroot/", mode: 0o700, uid: 65532, gid: 65532},
		{name: "tmp/", mode: 0o1777},
	}
}

// layer is a gzip-compressed OCI layer of files, in the given order, every entry dated t.
func layer(files []file, t time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{
			Name: f.name, Mode: f.mode, Uid: f.uid, Gid: f.gid, ModTime: t,
			Typeflag: tar.TypeReg, Size: int64(len(f.body)), Format: tar.FormatPAX,
		}
		if strings.HasSuffix(f.name, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithMediaType(types.OCILayer))
}

func image(plat v1.Platform, base, app v1.Layer, t time.Time, labels map[string]string, caVersion string) (v1.Image, error) {
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(img,
		mutate.Addendum{Layer: base, History: v1.History{Created: v1.Time{Time: t},
			CreatedBy: "hack/image: /etc/passwd, /etc/group (nonroot 65532), /etc/ssl/certs/ca-certificates.crt (Debian ca-certificates " + caVersion + "), /home/nonroot, /tmp"}},
		mutate.Addendum{Layer: app, History: v1.History{Created: v1.Time{Time: t},
			CreatedBy: "hack/image: " + Entrypoint + " (go build ./cmd, CGO_ENABLED=0 GOOS=" + plat.OS + " GOARCH=" + plat.Architecture + ")"}},
	)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Created = v1.Time{Time: t}
	cf.OS, cf.Architecture, cf.Variant = plat.OS, plat.Architecture, plat.Variant
	cf.Config = v1.Config{
		User:       User,
		Entrypoint: []string{Entrypoint},
		WorkingDir: WorkingDir,
		Env: []string{
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"SSL_CERT_FILE=/" + caBundle,
		},
		Labels: labels,
	}
	return mutate.ConfigFile(img, cf)
}

// refAnnotations name the image in index.json as docker buildx's OCI exporter does: containerd
// (and Docker's containerd image store) reads io.containerd.image.name, podman and skopeo the tag.
func refAnnotations(name string) map[string]string {
	repo, tag := name, "latest"
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		repo, tag = name[:i], name[i+1:]
	}
	first, _, hasSlash := strings.Cut(repo, "/")
	if !hasSlash || !strings.ContainsAny(first, ".:") && first != "localhost" {
		if !hasSlash {
			repo = "library/" + repo
		}
		repo = "docker.io/" + repo
	}
	return map[string]string{
		"io.containerd.image.name":          repo + ":" + tag,
		"org.opencontainers.image.ref.name": tag,
	}
}

// tarDir writes dir as a tar archive: entries in name order, dated t, owned by 0:0, 0644 and 0755.
func tarDir(dir, out string, t time.Time) error {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if d.IsDir() {
			rel += "/"
		}
		names = append(names, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		return err
	}
	slices.Sort(names)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, n := range names {
		h := &tar.Header{Name: n, ModTime: t, Format: tar.FormatPAX, Typeflag: tar.TypeDir, Mode: 0o755}
		var body *os.File
		if !strings.HasSuffix(n, "/") {
			if body, err = os.Open(filepath.Join(dir, filepath.FromSlash(n))); err != nil {
				return err
			}
			st, err := body.Stat()
			if err != nil {
				return err
			}
			h.Typeflag, h.Mode, h.Size = tar.TypeReg, 0o644, st.Size()
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if body != nil {
			_, err := io.Copy(tw, body)
			body.Close()
			if err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return f.Close()
}

func v1sha256(b []byte) string {
	h, _, _ := v1.SHA256(bytes.NewReader(b))
	return h.String()
}
