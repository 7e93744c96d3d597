//go:build faults

package faults

import (
	"testing"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
