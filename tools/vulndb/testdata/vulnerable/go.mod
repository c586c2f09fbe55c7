// A module that calls a known vulnerable function, so that CI can check the
// govulncheck step fails when it should (see .ci/vulncheck).
module example.com/vulnerable

go 1.26

// v0.3.6: language.Parse reads out of bounds (GO-2021-0113, fixed in v0.3.7).
require golang.org/x/text v0.3.6
