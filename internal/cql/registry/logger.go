package registry

import (
	gocql "github.com/apache/cassandra-gocql-driver/v2"
	"github.com/go-logr/logr"
)

// driverLogger adapts the driver's structured logger to logr. The driver's info and debug chatter
// goes to V(1)/V(2) so that production logs carry only what an operator acts on.
type driverLogger struct{ log logr.Logger }

func fields(fs []gocql.LogField) []any {
	kv := make([]any, 0, 2*len(fs))
	for _, f := range fs {
		kv = append(kv, f.Name, f.Value.String())
	}
	return kv
}

func (l driverLogger) Error(msg string, fs ...gocql.LogField)   { l.log.Info(msg, fields(fs)...) }
func (l driverLogger) Warning(msg string, fs ...gocql.LogField) { l.log.V(1).Info(msg, fields(fs)...) }
func (l driverLogger) Info(msg string, fs ...gocql.LogField)    { l.log.V(1).Info(msg, fields(fs)...) }
func (l driverLogger) Debug(msg string, fs ...gocql.LogField)   { l.log.V(2).Info(msg, fields(fs)...) }
