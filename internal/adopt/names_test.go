package adopt

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestDNSPart(t *testing.T) {
	for in, want := range map[string]string{
		"orders":        "orders",
		"order_lines":   "order-lines",
		"DdlFix_KS":     "ddlfix-ks",
		"_private_":     "private",
		"a__b":          "a--b",
		"___":           "x",
		"Événements":    "v--nements", // each byte of a non-ASCII letter is a '-'; none is left at the ends
		"two words":     "two-words",
		`quo"te`:        "quo-te",
		"123":           "123",
		"Table_2024_01": "table-2024-01",
	} {
		if got := dnsPart(in); got != want {
			t.Errorf("dnsPart(%q) = %q, want %q", in, got, want)
		}
		if errs := validation.IsDNS1123Label(dnsPart(in)); len(errs) > 0 {
			t.Errorf("dnsPart(%q) is not a DNS-1123 label: %v", in, errs)
		}
	}
}

func TestLossless(t *testing.T) {
	for name, want := range map[string]bool{
		"orders": true, "order_lines": true, "a__b": true, "t2": true,
		"Orders": false, "_x": false, "x_": false, "a-b": false, "two words": false,
	} {
		if got := lossless(name); got != want {
			t.Errorf("lossless(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestUniqueNames: names that fold together are told apart by a hash of the exact CQL name,
// the lossless one keeps the plain name, and the result does not depend on the input order.
func TestUniqueNames(t *testing.T) {
	objects := [][]string{{"shop", "users"}, {"shop", "Users"}, {"shop", "USERS"}, {"Shop", "users"}, {"shop", "orders"}, {"Other", "Thing"}}
	got := uniqueNames(objects)
	if got[idOf("shop", "users")] != "shop.users" || got[idOf("shop", "orders")] != "shop.orders" {
		t.Errorf("lossless names must be kept: %v", got)
	}
	if got[idOf("Other", "Thing")] != "other.thing" {
		t.Errorf("a lossy name that collides with nothing is kept: %v", got)
	}
	seen := map[string]bool{}
	for id, name := range got {
		if seen[name] {
			t.Errorf("name %q given twice: %v", name, got)
		}
		seen[name] = true
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			t.Errorf("%q (%q): %v", name, id, errs)
		}
	}
	if len(got) != len(objects) {
		t.Errorf("%d names for %d objects", len(got), len(objects))
	}
	if n := got[idOf("shop", "Users")]; len(n) != len("shop.users-")+6 {
		t.Errorf("a colliding lossy name gets a 6-digit hash: %q", n)
	}
	reversed := [][]string{}
	for i := len(objects) - 1; i >= 0; i-- {
		reversed = append(reversed, objects[i])
	}
	for id, name := range uniqueNames(reversed) {
		if got[id] != name {
			t.Errorf("order-dependent: %q is %q, then %q", id, got[id], name)
		}
	}
}

// TestUniqueNamesHashTaken: a hashed name that another object already has (its own plain name)
// gets a longer hash.
func TestUniqueNamesHashTaken(t *testing.T) {
	first := uniqueNames([][]string{{"users"}, {"Users"}})[idOf("Users")]    // users-<6 hex>
	squatter := []string{first[:len("users")] + "_" + first[len("users-"):]} // users_<6 hex>
	got := uniqueNames([][]string{{"users"}, {"Users"}, squatter})
	if got[idOf(squatter...)] != first {
		t.Fatalf("the squatter %q should keep its plain name %q: %v", squatter[0], first, got)
	}
	if n := got[idOf("Users")]; n == first || len(n) != len(first)+1 {
		t.Errorf("Users should get a 7-digit hash, got %q (taken: %q)", n, first)
	}
}
