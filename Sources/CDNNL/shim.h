// oneDNN v2 C API (Debian libdnnl-dev 2.6.x).
#include <oneapi/dnnl/dnnl.h>
// mallopt(), to keep large tensor buffers on the heap (see Storage.swift).
#include <malloc.h>
