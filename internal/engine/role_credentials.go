package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cqlv1 "github.com/cqlsync/cqlsync/api/v1alpha1"
	"github.com/cqlsync/cqlsync/internal/credentials"
)

// LabelManagedBy marks the Secrets cqlsync writes; a credentials Secret without it is someone
// else's, and is never overwritten.
const LabelManagedBy = "app.kubernetes.io/managed-by"

// managedBy is the value of LabelManagedBy on cqlsync's Secrets.
const managedBy = "cqlsync"

// prepare gives a login role its password, and keeps the credentials Secret its applications
// mount: username, password, hosts, port, localDatacenter, keyspace.
//
//   - From spec.password.secretRef: that Secret's key (it must exist).
//   - Generated: the credentials Secret's password; a new one when the Secret has none yet, or
//     when the annotation cqlsync.io/rotate-password holds a value the Secret's password was not
//     generated for (rotation).
//
// The Secret is written before Cassandra is changed, so that a password the role gets is always
// in it. Preview (cqlsync plan) writes nothing: a password it would generate is planned as one.
func (roleAdapter) prepare(ctx context.Context, c client.Client, reader client.Reader, r *cqlv1.CassandraRole, d *desiredRole, mode Mode) (*Problem, error) {
	name := r.CredentialsSecretName()
	r.Status.CredentialsSecret = ""
	if !d.Login || (r.Spec.Password != nil && r.Spec.Password.Unmanaged) {
		return nil, nil
	}
	r.Status.CredentialsSecret = name
	failed := func(reason, format string, args ...any) *Problem {
		return &Problem{Reason: reason, State: cqlv1.TargetFailed, Message: fmt.Sprintf(format, args...)}
	}
	current := &corev1.Secret{}
	err := reader.Get(ctx, types.NamespacedName{Namespace: r.Namespace, Name: name}, current)
	switch {
	case apierrors.IsNotFound(err):
		current = nil
	case err != nil:
		return nil, err
	case current.Labels[LabelManagedBy] != managedBy || current.Annotations[annotationRole] != r.Name:
		return failed(cqlv1.ReasonInvalidSpec, "spec.credentialsSecret: Secret %q exists and is not the credentials Secret of this CassandraRole (label %s=%s, annotation %s=%s): name another Secret",
			name, LabelManagedBy, managedBy, annotationRole, r.Name), nil
	}

	rotation := r.Annotations[cqlv1.AnnotationRotatePassword]
	var password string
	generated := false
	if ref := passwordRef(r); ref != nil {
		sec := &corev1.Secret{}
		if err := reader.Get(ctx, types.NamespacedName{Namespace: r.Namespace, Name: ref.Name}, sec); apierrors.IsNotFound(err) {
			return failed(cqlv1.ReasonSecretNotFound, "spec.password.secretRef: Secret %q not found in namespace %q", ref.Name, r.Namespace), nil
		} else if err != nil {
			return nil, err
		}
		key := ref.Key
		if key == "" {
			key = cqlv1.CredentialsPassword
		}
		if len(sec.Data[key]) == 0 {
			return failed(cqlv1.ReasonSecretKeyNotFound, "spec.password.secretRef: Secret %q has no key %q", ref.Name, key), nil
		}
		password = string(sec.Data[key])
	} else if current != nil && len(current.Data[cqlv1.CredentialsPassword]) > 0 && current.Annotations[cqlv1.AnnotationRotatedFor] == rotation {
		password = string(current.Data[cqlv1.CredentialsPassword])
	} else {
		length := 32
		if r.Spec.Password != nil && r.Spec.Password.Length > 0 {
			length = int(r.Spec.Password.Length)
		}
		if mode == Preview {
			d.PasswordPending = true // cqlsync plan generates nothing: the operator will
			return nil, nil
		}
		if password, err = credentials.Generate(length); err != nil {
			return nil, err
		}
		generated = true
	}
	d.Password = password
	if mode == Preview {
		return nil, nil
	}

	want, p, err := credentialsData(ctx, c, r, d.Name, password)
	if err != nil || p != nil {
		return p, err
	}
	if current == nil {
		sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: r.Namespace, Name: name,
			Labels:      map[string]string{LabelManagedBy: managedBy},
			Annotations: map[string]string{annotationRole: r.Name, cqlv1.AnnotationRotatedFor: rotation}},
			Type: corev1.SecretTypeOpaque, Data: want}
		if err := c.Create(ctx, sec); err != nil {
			return nil, fmt.Errorf("creating the credentials Secret %s: %w", name, err)
		}
	} else if generated || !sameData(current.Data, want) || current.Annotations[cqlv1.AnnotationRotatedFor] != rotation {
		current.Data = want
		if current.Annotations == nil {
			current.Annotations = map[string]string{}
		}
		current.Annotations[cqlv1.AnnotationRotatedFor] = rotation
		if err := c.Update(ctx, current); err != nil {
			return nil, fmt.Errorf("updating the credentials Secret %s: %w", name, err)
		}
	}
	if generated {
		now := metav1.Now()
		r.Status.PasswordRotatedAt = &now
	}
	return nil, nil
}

// annotationRole, on a credentials Secret, names the CassandraRole that writes it.
const annotationRole = "cqlsync.io/cassandra-role"

func passwordRef(r *cqlv1.CassandraRole) *cqlv1.PasswordSecretRef {
	if r.Spec.Password == nil {
		return nil
	}
	return r.Spec.Password.SecretRef
}

// credentialsData is the content of the credentials Secret: the role and its password, and how
// to reach the cluster of the role's first connection (its hosts, port and local datacenter).
func credentialsData(ctx context.Context, c client.Client, r *cqlv1.CassandraRole, role, password string) (map[string][]byte, *Problem, error) {
	refs := r.Spec.Connections
	if len(refs) == 0 {
		defaults, err := NamespaceDefaults(ctx, c, r.Namespace, false)
		if err != nil {
			return nil, nil, err
		}
		if p := defaultProblem(r.Namespace, defaults); p != nil {
			return nil, p, nil
		}
		refs = defaults
	}
	v, p, err := getConnView(ctx, c, r.Namespace, refs[0], false)
	if err != nil || p != nil {
		return nil, p, err
	}
	hosts := make([]string, len(v.spec.Hosts))
	for i, h := range v.spec.Hosts {
		hosts[i] = string(h)
	}
	port := 9042
	if v.spec.Port != 0 {
		port = int(v.spec.Port)
	}
	keyspace := ""
	if cs := r.Spec.CredentialsSecret; cs != nil && cs.Keyspace != "" {
		keyspace = string(cs.Keyspace)
	} else if len(r.Spec.Grants) > 0 {
		keyspace = string(r.Spec.Grants[0].Keyspace)
	}
	return map[string][]byte{
		cqlv1.CredentialsUsername:        []byte(role),
		cqlv1.CredentialsPassword:        []byte(password),
		cqlv1.CredentialsHosts:           []byte(strings.Join(hosts, ",")),
		cqlv1.CredentialsPort:            []byte(strconv.Itoa(port)),
		cqlv1.CredentialsLocalDatacenter: []byte(v.spec.LocalDatacenter),
		cqlv1.CredentialsKeyspace:        []byte(keyspace),
	}, nil, nil
}

func sameData(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if string(b[k]) != string(v) {
			return false
		}
	}
	return true
}
