package zfs

import (
	"bytes"
	"context"
	"testing"
)

func TestParseSendSize(t *testing.T) {
	// OpenZFS 2.x, zfs send -nvP tank/a@s.
	out := []byte("full\ttank/a@s\t1234567\nsize\t1234567\n")
	if n, err := parseSendSize(out); err != nil || n != 1234567 {
		t.Fatalf("%d %v", n, err)
	}
	if _, err := parseSendSize([]byte("cannot open\n")); err == nil {
		t.Fatal("no size line parsed")
	}
}

func TestFakeSendSizeIsTheStreamSize(t *testing.T) {
	ctx := context.Background()
	f := NewFake(t.TempDir(), "tank")
	if err := f.Create(ctx, "tank/a", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Snapshot(ctx, "tank/a@s", false); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Send(ctx, "tank/a@s", &b); err != nil {
		t.Fatal(err)
	}
	if n, err := f.SendSize(ctx, "tank/a@s"); err != nil || n != int64(b.Len()) {
		t.Fatalf("SendSize %d %v, stream %d", n, err, b.Len())
	}
}
