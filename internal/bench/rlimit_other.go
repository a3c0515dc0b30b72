//go:build !unix

package bench

import "errors"

func raiseFileLimit() (uint64, error) { return 0, errors.New("not supported") }

func processCPU() float64 { return 0 }
