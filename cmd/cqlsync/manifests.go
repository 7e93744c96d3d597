package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
)

// manifests are the cqlsync resources of the files given, in the order read.
type manifests struct {
	connections []*cqlv1.CassandraConnection
	shared      []*cqlv1.ClusterCassandraConnection
	schema      []client.Object // Keyspaces, UserTypes, TableModels, CassandraRoles
	// skipped describes the documents that are not cqlsync resources.
	skipped []string
}

// readManifests reads files and directories (recursively; .yaml, .yml and .json files), each a
// multi-document YAML stream, "-" for standard input. Documents of other kinds are skipped and
// reported; a document that does not decode is an error naming the file.
func readManifests(paths []string, stdin io.Reader) (*manifests, error) {
	m := &manifests{}
	for _, p := range paths {
		if p == "-" {
			if err := m.decode("<stdin>", stdin); err != nil {
				return nil, err
			}
			continue
		}
		files, err := manifestFiles(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			if err := m.decode(f, bytes.NewReader(data)); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// manifestFiles lists the manifest files of a path, sorted.
func manifestFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				files = append(files, p)
			}
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

func (m *manifests) decode(name string, r io.Reader) error {
	reader := yaml.NewYAMLReader(bufio.NewReader(r))
	for doc := 1; ; doc++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: document %d: %w", name, doc, err)
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(raw, &u.Object); err != nil {
			return fmt.Errorf("%s: document %d: %w", name, doc, err)
		}
		if len(u.Object) == 0 {
			continue
		}
		if u.GetAPIVersion() != cqlv1.GroupVersion.String() {
			m.skipped = append(m.skipped, fmt.Sprintf("%s: %s %s (not a cqlsync.io/v1alpha1 resource)", name, u.GetKind(), u.GetName()))
			continue
		}
		var obj client.Object
		switch u.GetKind() {
		case "CassandraConnection":
			obj = &cqlv1.CassandraConnection{}
		case "ClusterCassandraConnection":
			obj = &cqlv1.ClusterCassandraConnection{}
		case "Keyspace":
			obj = &cqlv1.Keyspace{}
		case "TableModel":
			obj = &cqlv1.TableModel{}
		case "UserType":
			obj = &cqlv1.UserType{}
		case "CassandraRole":
			obj = &cqlv1.CassandraRole{}
		default:
			m.skipped = append(m.skipped, fmt.Sprintf("%s: %s %s (not planned)", name, u.GetKind(), u.GetName()))
			continue
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, obj, true); err != nil {
			return fmt.Errorf("%s: document %d (%s %s): %w", name, doc, u.GetKind(), u.GetName(), err)
		}
		switch c := obj.(type) {
		case *cqlv1.CassandraConnection:
			m.connections = append(m.connections, c)
		case *cqlv1.ClusterCassandraConnection:
			m.shared = append(m.shared, c)
		default:
			m.schema = append(m.schema, obj)
		}
	}
}

// usesShared reports whether the manifests declare a ClusterCassandraConnection of that name or
// reference one from a resource.
func (m *manifests) usesShared(name string) bool {
	if slices.ContainsFunc(m.shared, func(s *cqlv1.ClusterCassandraConnection) bool { return s.Name == name }) {
		return true
	}
	for _, o := range m.schema {
		if so, ok := o.(cqlv1.SchemaObject); ok && slices.Contains(so.TargetConnections(), cqlv1.ClusterScoped(name)) {
			return true
		}
	}
	return false
}
