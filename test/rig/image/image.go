// Package image reads the manager's container image that `make image` (hack/image) writes, an OCI
// archive, so that tests can check it and run the manager taken from it.
package image

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// RepoRoot is the checkout this file is in.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// Tarball is where `make image` writes the image: bin/image/cqlsync.tar.
func Tarball() string { return filepath.Join(RepoRoot(), "bin", "image", "cqlsync.tar") }

// Build runs `make image IMAGE_TAR=out` and returns the digest of the image index it printed. A
// warm build (Go's build cache filled) takes seconds, a cold one minutes.
func Build(t testing.TB, out string) string {
	t.Helper()
	cmd := exec.Command("make", "--no-print-directory", "-s", "image", "IMAGE_TAR="+out)
	cmd.Dir = RepoRoot()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("make image IMAGE_TAR=%s: %v\n%s%s", out, err, b, stderr.String())
	}
	t.Logf("make image IMAGE_TAR=%s:\n%s", out, stderr.String())
	return strings.TrimSpace(string(b))
}

// Index unpacks the OCI archive tarball into a temporary directory of t and returns the image
// index its index.json names (the archive holds one), and the layout.
func Index(t testing.TB, tarball string) (v1.ImageIndex, layout.Path) {
	t.Helper()
	dir := t.TempDir()
	if err := untar(tarball, dir); err != nil {
		t.Fatalf("unpacking %s: %v", tarball, err)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || !im.Manifests[0].MediaType.IsIndex() {
		t.Fatalf("%s: index.json should name one image index, names %+v", tarball, im.Manifests)
	}
	idx, err := top.ImageIndex(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	return idx, p
}

// Image is the linux/arch image of idx.
func Image(t testing.TB, idx v1.ImageIndex, arch string) v1.Image {
	t.Helper()
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.OS == "linux" && d.Platform.Architecture == arch {
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			return img
		}
	}
	t.Fatalf("the image index has no linux/%s image", arch)
	return nil
}

// File is a file of an image's filesystem (its layers applied in order).
type File struct {
	Header *tar.Header
	Body   []byte // for regular files, when asked for
}

// Files is img's filesystem: each path (absolute) with its tar header, and the bodies of those
// named in want.
func Files(t testing.TB, img v1.Image, want ...string) map[string]File {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]File{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := path.Clean("/" + h.Name)
		f := File{Header: h}
		for _, w := range want {
			if w == p {
				if f.Body, err = io.ReadAll(tr); err != nil {
					t.Fatal(err)
				}
			}
		}
		files[p] = f
	}
	return files
}

// ExtractManager writes the manager binary of the linux/arch image in the OCI archive tarball
// (as `make image` writes it, e.g. Tarball()) into a temporary directory of t, executable, and
// returns its path: the file at the image's entrypoint. For the e2e suite to run the manager
// the image ships, on amd64: ExtractManager(t, image.Tarball(), "amd64").
func ExtractManager(t testing.TB, tarball, arch string) string {
	t.Helper()
	idx, _ := Index(t, tarball)
	img := Image(t, idx, arch)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(cf.Config.Entrypoint) == 0 {
		t.Fatalf("the linux/%s image has no entrypoint", arch)
	}
	entry := path.Clean(cf.Config.Entrypoint[0])
	f, ok := Files(t, img, entry)[entry]
	if !ok || f.Header.Typeflag != tar.TypeReg {
		t.Fatalf("the linux/%s image has no file %s (its entrypoint)", arch, entry)
	}
	out := filepath.Join(t.TempDir(), path.Base(entry))
	if err := os.WriteFile(out, f.Body, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

func untar(tarball, dir string) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(path.Clean(h.Name))
		if !filepath.IsLocal(name) {
			return fmt.Errorf("entry %q leaves the archive", h.Name)
		}
		dst := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			w, err := os.Create(dst)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, tr)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		default:
			return fmt.Errorf("entry %q: unexpected type %c", h.Name, h.Typeflag)
		}
	}
}
