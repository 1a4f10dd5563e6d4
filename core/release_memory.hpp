// Hands the heap's free pages back to the system.
#pragma once

#include <malloc.h>

namespace core {

// glibc keeps what is freed between live allocations: after a daemon drops
// a large structure (a zone set replaced by a reload, the text and records
// a zone was compiled from) its resident memory stays at the peak until
// this is called. It walks the heap: call it after such a drop, not on a
// request's path.
inline void release_freed_memory() {
    ::malloc_trim(0);
}

}  // namespace core
