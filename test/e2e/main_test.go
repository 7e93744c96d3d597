package e2e

import (
	"testing"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
