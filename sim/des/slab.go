package des

// slab holds records addressed by index, reusing freed slots so that a
// steady run allocates nothing. Indexes stay valid until freed.
type slab[T any] struct {
	items []T
	live  []bool
	freed []int32
}

// alloc returns a free slot and its index. The slot keeps what it held
// before, so a buffer inside it can be reused.
func (s *slab[T]) alloc() (int32, *T) {
	if n := len(s.freed); n > 0 {
		i := s.freed[n-1]
		s.freed = s.freed[:n-1]
		s.live[i] = true
		return i, &s.items[i]
	}
	var zero T
	s.items = append(s.items, zero)
	s.live = append(s.live, true)
	i := int32(len(s.items) - 1)
	return i, &s.items[i]
}

func (s *slab[T]) at(i int32) *T { return &s.items[i] }

func (s *slab[T]) free(i int32) {
	s.live[i] = false
	s.freed = append(s.freed, i)
}

// each calls f for every live record.
func (s *slab[T]) each(f func(*T)) {
	for i := range s.items {
		if s.live[i] {
			f(&s.items[i])
		}
	}
}
