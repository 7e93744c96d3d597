package integration

import (
	"context"
	"errors"
	"sync"

	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// apiFaults makes the controllers' List calls fail on demand, as an API server that errors in the
// middle of a reconcile would. Unarmed (the default), it passes every call through.
var apiFaults faultInjector

type faultInjector struct {
	mu sync.Mutex
	// failList, when set, returns the error for a List it wants to fail, nil to pass it.
	failList func(list client.ObjectList, opts ...client.ListOption) error
}

// armList makes List calls fail as f says, until the returned function disarms it.
func (f *faultInjector) armList(fn func(list client.ObjectList, opts ...client.ListOption) error) (disarm func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failList = fn
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.failList = nil
	}
}

func (f *faultInjector) funcs() interceptor.Funcs {
	return interceptor.Funcs{List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
		f.mu.Lock()
		fail := f.failList
		f.mu.Unlock()
		if fail != nil {
			if err := fail(list, opts...); err != nil {
				return err
			}
		}
		return c.List(ctx, list, opts...)
	}}
}

// watchless gives the manager's client the Watch method interceptor.NewClient wants; the
// controllers never call it.
type watchless struct{ client.Client }

func (watchless) Watch(context.Context, client.ObjectList, ...client.ListOption) (watch.Interface, error) {
	return nil, errors.New("watch is not used by the controllers")
}
