package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cqlsync/cqlsync/test/rig/testenv"
)

// TestImportAuthTLS imports from cluster3, which requires a password and TLS, with --user,
// --password-env and --ca, and checks that the password appears nowhere in what the command
// prints, on success or when the cluster refuses it. With --roles it imports the roles too, with
// no password and no hash in the output.
func TestImportAuthTLS(t *testing.T) {
	rig := testenv.Cassandra(t)
	cli := testenv.BuildOnce(t, "cqlsync", "./cmd/cqlsync")
	s := testenv.SecureCQLSession(t, rig)
	ks := fmt.Sprintf("imp_auth_%d", time.Now().UnixNano()%1000000)
	t.Cleanup(func() {
		if err := s.Query(`DROP KEYSPACE IF EXISTS "` + ks + `"`).Exec(); err != nil {
			t.Logf("cleanup: dropping %s: %v", ks, err)
		}
	})
	for _, st := range []string{
		`CREATE KEYSPACE "` + ks + `" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
		`CREATE TABLE "` + ks + `".secrets_of_nothing (id int PRIMARY KEY, v text)`,
	} {
		if err := s.Query(st).Exec(); err != nil {
			t.Fatal(err)
		}
	}

	role := "imp_role_" + ks[len("imp_auth_"):]
	t.Cleanup(func() { _ = s.Query(`DROP ROLE IF EXISTS "` + role + `"`).Exec() })
	for _, st := range []string{
		`CREATE ROLE "` + role + `" WITH PASSWORD = 'role-secret-pw' AND LOGIN = true`,
		`GRANT SELECT ON KEYSPACE "` + ks + `" TO "` + role + `"`,
	} {
		if err := s.Query(st).Exec(); err != nil {
			t.Fatal(err)
		}
	}

	run := func(password string, more ...string) (int, string) {
		cmd := exec.Command(cli, append([]string{"import", "--host", rig.Cluster3, "--user", rig.Cluster3User, "--password-env", "IMPORT_PASSWORD",
			"--ca", rig.Cluster3CA, "--keyspace", ks, "--timeout", "60s"}, more...)...)
		cmd.Env = append(os.Environ(), "IMPORT_PASSWORD="+password)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		// With --roles the output names the role cassandra, which is also the rig's password.
		if len(more) == 0 && strings.Contains(out.String(), password) {
			t.Errorf("the output shows the password:\n%s", out.String())
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, out.String()
	}
	if code, out := run(rig.Cluster3Password); code != 0 || !strings.Contains(out, "name: secrets_of_nothing") || !strings.Contains(out, "1 Keyspace, 0 UserTypes, 1 TableModel") {
		t.Errorf("with the right password: exit %d\n%s", code, out)
	}
	if code, out := run("not-" + rig.Cluster3Password + "-at-all"); code != 1 || !strings.Contains(out, "connecting to") {
		t.Errorf("with a wrong password: exit %d\n%s", code, out)
	}

	// --roles: the roles too, each with its password left as it is; never a password or a hash.
	code, out := run(rig.Cluster3Password, "--roles")
	if code != 0 || !strings.Contains(out, "kind: CassandraRole") || !strings.Contains(out, "name: "+role) ||
		!strings.Contains(out, "unmanaged: true") || !strings.Contains(out, "keyspace: "+ks) ||
		!strings.Contains(out, `role "cassandra": Cassandra's default superuser`) || !strings.Contains(out, "cqlsync import: roles: ") {
		t.Errorf("--roles: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "role-secret-pw") || strings.Contains(out, "$2a$") {
		t.Errorf("--roles shows a password or a hash:\n%s", out)
	}
}
