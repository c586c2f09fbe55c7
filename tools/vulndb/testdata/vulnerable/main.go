// Command vulnerable calls golang.org/x/text/language.Parse at a version
// affected by GO-2021-0113; govulncheck must report it as called.
package main

import (
	"fmt"

	"golang.org/x/text/language"
)

func main() {
	tag, err := language.Parse("fr-CA")
	fmt.Println(tag, err)
}
