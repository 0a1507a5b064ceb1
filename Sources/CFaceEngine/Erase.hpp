// Erasing face data in the engine's own buffers before they are freed or left for the next call
// (promise 1): a freed buffer's bytes stay in the heap, where a memory dump would find them.
#pragma once
#include <cstddef>
#include <string.h>

namespace wp {

// explicit_bzero, unlike memset, is never removed by the optimiser as a dead store.
inline void erase_bytes(void *data, std::size_t bytes) {
    if (data && bytes) explicit_bzero(data, bytes);
}

// Any contiguous container or dlib matrix with data() / size() (begin() for dlib).
template <typename Matrix>
void erase_matrix(Matrix &m) {
    if (m.size() > 0) erase_bytes(&*m.begin(), std::size_t(m.size()) * sizeof(*m.begin()));
}

}  // namespace wp
