package adopt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// WriteStream writes the outputs as one multi-document YAML stream, keyspace after keyspace,
// documents separated by "---".
func WriteStream(w io.Writer, outs []Output) error {
	var b bytes.Buffer
	for i, o := range outs {
		if i > 0 {
			b.WriteString("---\n")
		}
		if err := writeKeyspace(&b, o); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteKeyspace writes one keyspace's output as a multi-document YAML file: its header, then its
// documents, each with its comments.
func WriteKeyspace(w io.Writer, o Output) error {
	var b bytes.Buffer
	if err := writeKeyspace(&b, o); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeKeyspace(b *bytes.Buffer, o Output) error {
	writeComments(b, o.Header)
	for i, d := range o.Documents {
		if i > 0 {
			b.WriteString("---\n")
		}
		writeComments(b, d.Comments)
		y, err := Marshal(d.Object)
		if err != nil {
			return err
		}
		b.Write(y)
	}
	return nil
}

// writeComments writes each line as a YAML comment. Lines come from CQL names and values, so a
// line break inside one is written as a new comment line, never as YAML.
func writeComments(b *bytes.Buffer, lines []string) {
	for _, l := range lines {
		for _, part := range strings.Split(strings.ReplaceAll(l, "\r", ""), "\n") {
			b.WriteString(strings.TrimRight("# "+part, " "))
			b.WriteString("\n")
		}
	}
}

// Marshal writes a resource as YAML without what the API server fills in: an empty status and
// metadata.creationTimestamp. Keys are sorted, so the output is stable.
func Marshal(obj client.Object) ([]byte, error) {
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if status, ok := m["status"].(map[string]any); ok && len(status) == 0 {
		delete(m, "status")
	} else if ok {
		return nil, fmt.Errorf("%s %s has a status: only new resources are written", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName())
	}
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	return yaml.Marshal(m)
}
