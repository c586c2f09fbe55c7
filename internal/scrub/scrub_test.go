package scrub

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func picture() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 16, 8))
	for x := 0; x < 16; x++ {
		img.Set(x, x%8, color.RGBA{200, 30, 30, 255})
	}
	return img
}

// withEXIF puts an APP1 EXIF segment, holding the sentinel, right after
// the JPEG's start-of-image marker, as cameras and phones do.
func withEXIF(t *testing.T, sentinel string) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(), nil); err != nil {
		t.Fatal(err)
	}
	payload := append([]byte("Exif\x00\x00"), sentinel...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	data := b.Bytes()
	return append(append(append([]byte{}, data[:2]...), append(seg, payload...)...), data[2:]...)
}

// withText adds a tEXt chunk (Author) before the PNG's end.
func withText(t *testing.T, sentinel string) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture()); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	body := append([]byte("tEXt"), append([]byte("Author\x00"), sentinel...)...)
	chunk := make([]byte, 4)
	binary.BigEndian.PutUint32(chunk, uint32(len(body)-4))
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(body))
	end := len(data) - 12 // IEND
	return append(append(append([]byte{}, data[:end]...), chunk...), data[end:]...)
}

func TestImagesLoseTheirMetadata(t *testing.T) {
	const sentinel = "GPS 14.49N 4.19W Zqxcamera owner"
	for name, data := range map[string][]byte{"jpeg": withEXIF(t, sentinel), "png": withText(t, sentinel)} {
		if !bytes.Contains(data, []byte(sentinel)) {
			t.Fatalf("%s fixture lacks the sentinel", name)
		}
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			t.Fatalf("%s fixture does not decode: %v", name, err)
		}
		kind, clean, err := File(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bytes.Contains(clean, []byte(sentinel)) || bytes.Contains(clean, []byte("Exif")) || bytes.Contains(clean, []byte("tEXt")) {
			t.Errorf("%s: metadata survived", name)
		}
		img, format, err := image.Decode(bytes.NewReader(clean))
		if err != nil || img.Bounds().Dx() != 16 || "image/"+format != kind {
			t.Errorf("%s: cleaned image %v %q %v", name, img.Bounds(), format, err)
		}
	}
}

func TestOtherFilesAreRefused(t *testing.T) {
	for name, data := range map[string][]byte{
		"pdf":     []byte("%PDF-1.7\n1 0 obj << /Author (Zqx) >> endobj"),
		"zip":     {0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0},
		"latin-1": {'c', 'a', 'f', 0xE9},
	} {
		if _, _, err := File(data); err != ErrUnsupported {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
	if kind, clean, err := File([]byte("notes: checkpoint at km 12")); err != nil || kind != Text || string(clean) != "notes: checkpoint at km 12" {
		t.Errorf("text: %q %q %v", kind, clean, err)
	}
}
