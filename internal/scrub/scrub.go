// Package scrub removes what a file says about where, when and by whom it
// was made before the file is stored: EXIF (camera, GPS position, time),
// XMP and text chunks of images. Only kinds whose metadata can be removed
// completely are accepted; anything else is refused rather than stored
// with its metadata.
package scrub

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"unicode/utf8"
)

// Media types accepted.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	Text = "text/plain; charset=utf-8"
)

// MaxPixels bounds a decoded image (a small file can decode to gigabytes).
const MaxPixels = 40_000_000

// ErrUnsupported: the file is of a kind whose metadata cannot be removed
// for certain.
var ErrUnsupported = errors.New("only JPEG and PNG images and plain UTF-8 text can be attached: their metadata is removed for certain; convert other files (a PDF or a document keeps its authors and history) or leave them out")

// File returns the file's media type and its content without metadata.
// Images are decoded and encoded again, which keeps the pixels and drops
// every other segment or chunk; an EXIF orientation is lost with the rest,
// so a photo may need turning by hand. Text is kept as it is.
func File(data []byte) (mediaType string, clean []byte, err error) {
	switch kind := http.DetectContentType(data); kind {
	case JPEG, PNG:
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return "", nil, fmt.Errorf("the image cannot be read: %w", err)
		}
		if cfg.Width*cfg.Height > MaxPixels {
			return "", nil, fmt.Errorf("the image has %d×%d pixels, more than %d million", cfg.Width, cfg.Height, MaxPixels/1_000_000)
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return "", nil, fmt.Errorf("the image cannot be read: %w", err)
		}
		var out bytes.Buffer
		if kind == JPEG {
			err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 92})
		} else {
			err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img)
		}
		if err != nil {
			return "", nil, err
		}
		return kind, out.Bytes(), nil
	case Text:
		if !utf8.Valid(data) {
			return "", nil, ErrUnsupported
		}
		return Text, data, nil
	default:
		return "", nil, ErrUnsupported
	}
}
