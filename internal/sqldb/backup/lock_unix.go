//go:build unix

package backup

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

var errLocked = errors.New("locked")

// lockDir takes the backup folder's lock without waiting: held, it means
// another server is writing a backup there now.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
