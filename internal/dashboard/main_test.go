package dashboard

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestMain hashes the tests' passwords at bcrypt's lowest cost: what they
// test is the sign-in's logic, not bcrypt's slowness (login.go, hashCost).
func TestMain(m *testing.M) {
	hashCost = bcrypt.MinCost
	os.Exit(m.Run())
}
