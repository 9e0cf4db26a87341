// Package random gives each random component of a simulation its own seeded
// stream and draws variates from it by explicit inverse CDF.
//
// The derived helpers of math/rand/v2 (Float64, ExpFloat64, NormFloat64) are
// not promised to stay bit-identical across Go releases, so every variate
// here is computed from the raw Uint64 output of a PCG generator. The same
// seed and stream name give the same numbers on every Go version.
package random

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// Source is one seeded stream of random numbers. It is not safe for
// concurrent use; give each component its own.
type Source struct {
	pcg rand.PCG
}

// New returns the stream named name under seed. Streams with different names
// are independent; the same seed and name always give the same sequence.
func New(seed uint64, name string) *Source {
	s := Stream(seed, name)
	return &s
}

// Stream is New as a value, for a component that keeps its stream inside
// itself, next to the state it draws for.
func Stream(seed uint64, name string) Source {
	h := fnv.New64a()
	h.Write([]byte(name))
	var s Source
	s.pcg.Seed(seed, h.Sum64())
	return s
}

// Uint64 returns the next raw 64-bit value of the stream.
func (s *Source) Uint64() uint64 { return s.pcg.Uint64() }

// Float64 returns a uniform number in [0, 1) with 53 random bits.
func (s *Source) Float64() float64 {
	return float64(s.pcg.Uint64()>>11) * 0x1p-53
}

// Open returns a uniform number in (0, 1): never 0, so its logarithm is
// finite.
func (s *Source) Open() float64 {
	return (float64(s.pcg.Uint64()>>11) + 0.5) * 0x1p-53
}

// Exp returns an exponential variate with the given mean.
func (s *Source) Exp(mean float64) float64 {
	return -mean * math.Log(s.Open())
}

// Bernoulli reports true with probability p.
func (s *Source) Bernoulli(p float64) bool {
	if p <= 0 {
		return false
	}
	return s.Float64() < p
}

// NormalQuantile is the inverse CDF of the standard normal distribution.
func NormalQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}
