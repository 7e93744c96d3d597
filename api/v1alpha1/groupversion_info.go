package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the API group and version of every cqlsync resource.
	GroupVersion = schema.GroupVersion{Group: "cqlsync.io", Version: "v1alpha1"}

	// SchemeBuilder registers the cqlsync types with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the cqlsync types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
