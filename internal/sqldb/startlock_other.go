//go:build !unix

package sqldb

// lockFile runs fn without a lock: Aftermath ships for Unix systems, where
// flock serialises processes starting on one SQLite file; elsewhere run
// one process per file.
func lockFile(_ string, fn func() error) error { return fn() }
