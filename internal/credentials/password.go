package credentials

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Cost is the bcrypt cost of the hashes cqlsync makes: Cassandra's default
// (auth_bcrypt_gensalt_log2_rounds, 10), so that logging in costs what it costs for any role.
const Cost = 10

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Generate returns a random password of n letters and digits (about 5.95 bits each).
func Generate(n int) (string, error) {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("generating a password: %w", err)
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b), nil
}

// Hash is the bcrypt hash of a password, in the form Cassandra stores ($2a$10$...).
func Hash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), Cost)
	if err != nil {
		return "", fmt.Errorf("hashing a password: %w", err)
	}
	return string(h), nil
}

// checked remembers the answers of Matches: bcrypt is slow on purpose, and a resync asks the
// same question again. Keys are hashes of (hash, password), never the password.
var checked sync.Map

// Matches reports whether hash is a bcrypt hash of password.
func Matches(hash, password string) bool {
	if hash == "" {
		return false
	}
	key := sha256.Sum256([]byte(hash + "\x00" + password))
	if v, ok := checked.Load(key); ok {
		return v.(bool)
	}
	ok := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	checked.Store(key, ok)
	return ok
}
