package sealed

import (
	"bytes"
	"testing"

	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func TestLoadKeepsTheKey(t *testing.T) {
	dir := t.TempDir()
	st, err := pebblestore.Open(pebblestore.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	box, err := Load(st, []byte("k"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.Seal([]byte("hunter2"))
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("sealed value holds the plain text")
	}
	st.Close()
	st, err = pebblestore.Open(pebblestore.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	again, err := Load(st, []byte("k"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := again.Open(sealed)
	if err != nil || string(got) != "hunter2" {
		t.Fatalf("Open after reopening = %q, %v", got, err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := again.Open(sealed); err == nil {
		t.Fatal("a tampered value opened")
	}
	if _, err := again.Open([]byte("x")); err == nil {
		t.Fatal("a short value opened")
	}
}
