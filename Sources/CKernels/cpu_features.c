#include "CKernels.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <stdint.h>

static bool bit(unsigned int word, int index) { return (word >> index) & 1u; }

/// Extended control register 0: which register states the operating system saves, hence lets programs use.
static uint64_t enabled_register_states(void) {
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((uint64_t)high << 32) | low;
}

ck_cpu_features ck_detect_cpu_features(void) {
    ck_cpu_features features = {0};
    unsigned int a, b, c, d;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d) || !bit(c, 27 /* OSXSAVE */)) return features;
    bool avx = bit(c, 28);
    uint64_t states = enabled_register_states();
    bool ymm = avx && (states & 0x6) == 0x6;           // SSE and AVX state
    bool zmm = ymm && (states & 0xE0) == 0xE0;          // opmask, upper ZMM halves, ZMM16-31
    bool tiles = (states & 0x60000) == 0x60000;         // AMX tile configuration and tile data
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return features;
    unsigned int leaf7c = c, leaf7d = d;
    features.avx2 = ymm && bit(b, 5);
    features.avx512f = zmm && bit(b, 16);
    features.avx512_vnni = features.avx512f && bit(leaf7c, 11);
    features.amx_tile = tiles && bit(leaf7d, 24);
    features.amx_int8 = features.amx_tile && bit(leaf7d, 25);
    features.amx_bf16 = features.amx_tile && bit(leaf7d, 22);
    if (a >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) {
        features.avx_vnni = ymm && bit(a, 4);
        features.avx512_bf16 = features.avx512f && bit(a, 5);
    }
    return features;
}
#else
ck_cpu_features ck_detect_cpu_features(void) {
    ck_cpu_features features = {0};
    return features;
}
#endif
