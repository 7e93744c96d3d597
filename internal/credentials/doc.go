// Package credentials makes and checks the passwords of the roles cqlsync manages: it generates
// them, hashes them with bcrypt as Cassandra's PasswordAuthenticator stores them (so that only a
// hash is ever sent, with HASHED PASSWORD), and tells whether a stored hash is of a password. It
// does no I/O and never logs.
package credentials
