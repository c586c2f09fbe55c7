//go:build unix

package sqldb

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile runs fn holding an exclusive flock on path, created if need be.
// The kernel drops the lock when the process ends, so a crash leaves
// nothing to clean up.
func lockFile(path string, fn func() error) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("start lock: %w", err)
	}
	defer f.Close() // closing releases the lock
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("start lock %s: %w", path, err)
	}
	return fn()
}
