// The engine's vector kernels. Each is written once, on 16-lane vectors, as an always-inline function without a
// target; thin entry points with `target` attributes inline them so that the compiler emits SSE2, AVX2 and AVX-512
// versions of the same code, and `ck_vector_kernels_for` hands out the set the caller chose at run time.
#include "CKernels.h"
#include <math.h>
#include <string.h>

typedef float v16 __attribute__((ext_vector_type(16)));
typedef int v16i __attribute__((ext_vector_type(16)));
typedef unsigned char v16b __attribute__((ext_vector_type(16)));

// Every helper is inlined into an entry point compiled for one instruction set, so 16-lane vectors never cross
// a call and the ABI warning about passing them without AVX-512 does not apply.
#if defined(__x86_64__)
#pragma clang diagnostic ignored "-Wpsabi"
#endif
// No fused multiply-adds and sums in lane order: every instruction set computes the same bits, and the same as
// the Swift kernels these replaced, so results do not depend on the machine.
#pragma STDC FP_CONTRACT OFF
#define INLINE static inline __attribute__((always_inline))

INLINE v16 splat(float x) { return (v16)(x); }
INLINE v16 load(const float *p) { v16 v; memcpy(&v, p, sizeof v); return v; }
INLINE void store(float *p, v16 v) { memcpy(p, &v, sizeof v); }

/// The first `count` (< 16) elements of `p`, the other lanes `fill`.
INLINE v16 load_part(const float *p, long count, float fill) {
    float lanes[16];
    for (int i = 0; i < 16; i++) lanes[i] = i < count ? p[i] : fill;
    return load(lanes);
}

INLINE void store_part(float *p, v16 v, long count) {
    float lanes[16];
    store(lanes, v);
    memcpy(p, lanes, (size_t)count * sizeof(float));
}

/// `a` where `mask` is set, `b` elsewhere (compare-and-blend: a few instructions on every instruction set).
INLINE v16 blend(v16i mask, v16 a, v16 b) { return (v16)((mask & (v16i)a) | (~mask & (v16i)b)); }
INLINE v16 vabs(v16 x) { return (v16)((v16i)x & 0x7fffffff); }
INLINE v16 vmax(v16 a, v16 b) { return blend(a < b, b, a); }
INLINE v16 clamp(v16 x, float low, float high) { return blend(x < low, splat(low), blend(x > high, splat(high), x)); }

/// Sum of the lanes from the first to the last.
INLINE float reduce_add(v16 v) {
    float total = 0;
    for (int i = 0; i < 16; i++) total += v[i];
    return total;
}

INLINE float reduce_max(v16 v) {
    float best = v[0];
    for (int i = 1; i < 16; i++) best = v[i] > best ? v[i] : best;
    return best;
}

/// e^x, relative error about 2e-7 (Cephes' `expf`: range reduction by ln 2 and a degree-6 polynomial).
INLINE v16 v_exp(v16 x) {
    v16 clamped = clamp(x, -87.33f, 88.37f);
    // Adding 1.5·2^23 rounds to the nearest integer n and leaves n in the low mantissa bits.
    v16 magic = splat(12582912.0f);
    v16 shifted = clamped * 1.4426950408889634f + magic;
    v16 n = shifted - magic;
    // ln 2 split in two so that n * ln2High is exact in float.
    v16 r = clamped - n * 0.693359375f + n * 2.1219444e-4f;
    v16 p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    v16 y = p * r * r + r + 1.0f;
    v16 scale = (v16)((((v16i)shifted - (v16i)magic) + 127) << 23);
    return blend(x < -87.33f, splat(0), y * scale);
}

/// erf(x), absolute error below 1e-7 in float arithmetic: an odd polynomial below |x| = 0.9, and
/// 1 − e^(−x²) · t · P(t) with t = 1 / (1 + |x|/2) above (least-squares fits made for this function).
/// The single Abramowitz & Stegun 7.1.26 formula loses 5e-7 to cancellation near 0 in float.
INLINE v16 v_erf(v16 x) {
    v16 a = vabs(x), u = a * a;
    v16 small = splat(-5.9383428e-4f);
    small = small * u + 4.9777920e-3f;
    small = small * u - 2.6750912e-2f;
    small = small * u + 1.1281134e-1f;
    small = small * u - 3.7612375e-1f;
    small = small * u + 1.1283791f;
    v16 t = 1.0f / (1.0f + 0.5f * a);
    v16 tail = splat(9.6966335e-2f);
    tail = tail * t - 3.9184415e-1f;
    tail = tail * t + 4.4389279e-1f;
    tail = tail * t - 4.8624433e-3f;
    tail = tail * t + 2.9929810e-1f;
    tail = tail * t + 2.7383328e-1f;
    tail = tail * t + 2.8264472e-1f;
    v16 y = blend(a < 0.9f, small * a, 1.0f - tail * t * v_exp(-u));
    return blend(x < 0, -y, y);
}

/// tanh(x) through e^(2|x|); absolute error about 1e-7.
INLINE v16 v_tanh(v16 x) {
    v16 a = clamp(vabs(x), 0, 20);
    v16 y = 1.0f - 2.0f / (v_exp(2.0f * a) + 1.0f);
    return blend(x < 0, -y, y);
}

static const float inv_sqrt2 = 0.70710678118654752f, inv_sqrt_2pi = 0.39894228040143268f;
static const float sqrt_2_over_pi = 0.79788456080286536f, gelu_cubic = 0.044715f;

/// GELU as BERT uses it: x Φ(x) with the exact Gaussian CDF (erf form).
INLINE v16 v_gelu(v16 x) { return 0.5f * x * (1.0f + v_erf(x * inv_sqrt2)); }

/// d/dx [x Φ(x)] = Φ(x) + x φ(x), times the incoming gradient.
INLINE v16 v_gelu_backward(v16 g, v16 x) {
    v16 cdf = 0.5f * (1.0f + v_erf(x * inv_sqrt2));
    v16 pdf = inv_sqrt_2pi * v_exp(-0.5f * x * x);
    return g * (cdf + x * pdf);
}

/// GELU with the tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
INLINE v16 v_gelu_tanh(v16 x) { return 0.5f * x * (1.0f + v_tanh(sqrt_2_over_pi * (x + gelu_cubic * x * x * x))); }

INLINE v16 v_gelu_tanh_backward(v16 g, v16 x) {
    v16 t = v_tanh(sqrt_2_over_pi * (x + gelu_cubic * x * x * x));
    v16 du = sqrt_2_over_pi * (1.0f + 3.0f * gelu_cubic * x * x);
    return g * (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du);
}

/// SiLU (swish): x · sigmoid(x), and its derivative s + x s (1 − s) times the incoming gradient.
INLINE v16 v_silu(v16 x) { return x / (1.0f + v_exp(-x)); }

INLINE v16 v_silu_backward(v16 g, v16 x) {
    v16 s = 1.0f / (1.0f + v_exp(-x));
    return g * (s + x * s * (1.0f - s));
}

// Loops over whole vectors and a padded tail. `EXPR` is an expression of `v` (and `w` for two inputs).
#define MAP1(count, x, y, EXPR)                                                        \
    for (long i = 0; i < (count); i += 16) {                                           \
        long part = (count) - i < 16 ? (count) - i : 16;                               \
        v16 v = part == 16 ? load((x) + i) : load_part((x) + i, part, 0);              \
        v16 result = (EXPR);                                                           \
        if (part == 16) store((y) + i, result); else store_part((y) + i, result, part); \
    }

#define MAP2(count, x1, x2, y, EXPR)                                                   \
    for (long i = 0; i < (count); i += 16) {                                           \
        long part = (count) - i < 16 ? (count) - i : 16;                               \
        v16 v = part == 16 ? load((x1) + i) : load_part((x1) + i, part, 0);            \
        v16 w = part == 16 ? load((x2) + i) : load_part((x2) + i, part, 0);            \
        v16 result = (EXPR);                                                           \
        if (part == 16) store((y) + i, result); else store_part((y) + i, result, part); \
    }

/// Sum of `EXPR` over the elements `v` of `x`: whole vectors summed lane by lane, then the lanes, then the
/// tail's terms one by one.
#define REDUCE_SUM(count, x, EXPR, total)                                              \
    do {                                                                               \
        v16 acc = splat(0);                                                            \
        long i = 0;                                                                    \
        for (; i + 16 <= (count); i += 16) {                                           \
            v16 v = load((x) + i);                                                     \
            acc += (EXPR);                                                             \
        }                                                                              \
        total = reduce_add(acc);                                                       \
        if (i < (count)) {                                                             \
            v16 v = load_part((x) + i, (count) - i, 0);                                \
            v16 term = (EXPR);                                                         \
            for (long j = 0; j < (count) - i; j++) total += term[j];                   \
        }                                                                              \
    } while (0)

INLINE float row_max(long n, const float *x) {
    v16 acc = splat(-INFINITY);
    for (long i = 0; i < n; i += 16) {
        long part = n - i < 16 ? n - i : 16;
        acc = vmax(acc, part == 16 ? load(x + i) : load_part(x + i, part, -INFINITY));
    }
    return reduce_max(acc);
}

INLINE float row_dot(long n, const float *a, const float *b) {
    v16 acc = splat(0);
    long i = 0;
    for (; i + 16 <= n; i += 16) acc += load(a + i) * load(b + i);
    float total = reduce_add(acc);
    for (; i < n; i++) total += a[i] * b[i];
    return total;
}

INLINE void k_exp(long count, const float *x, float *y) { MAP1(count, x, y, v_exp(v)) }
INLINE void k_erf(long count, const float *x, float *y) { MAP1(count, x, y, v_erf(v)) }
INLINE void k_tanh(long count, const float *x, float *y) { MAP1(count, x, y, v_tanh(v)) }
INLINE void k_gelu(long count, const float *x, float *y) { MAP1(count, x, y, v_gelu(v)) }
INLINE void k_gelu_backward(long count, const float *g, const float *x, float *dx) { MAP2(count, g, x, dx, v_gelu_backward(v, w)) }
INLINE void k_gelu_tanh(long count, const float *x, float *y) { MAP1(count, x, y, v_gelu_tanh(v)) }
INLINE void k_gelu_tanh_backward(long count, const float *g, const float *x, float *dx) { MAP2(count, g, x, dx, v_gelu_tanh_backward(v, w)) }
INLINE void k_silu(long count, const float *x, float *y) { MAP1(count, x, y, v_silu(v)) }
INLINE void k_silu_backward(long count, const float *g, const float *x, float *dx) { MAP2(count, g, x, dx, v_silu_backward(v, w)) }

/// One row of softmax(x + mask) before its scaling: writes e^(t − max t) for t = x + mask (`mask` may be null)
/// into `e` and returns 1 / Σ e^(t − max t). Two passes: t and its max, then the exponentials and their sum
/// (whole vectors summed lane by lane, then the lanes, then the tail one by one, as `REDUCE_SUM` sums).
INLINE float softmax_exponentials(long n, const float *x, const float *mask, float *e) {
    v16 top = splat(-INFINITY);
    for (long i = 0; i < n; i += 16) {
        long part = n - i < 16 ? n - i : 16;
        v16 v = part == 16 ? load(x + i) : load_part(x + i, part, -INFINITY);
        if (mask) v += part == 16 ? load(mask + i) : load_part(mask + i, part, 0);
        top = vmax(top, v);
        if (part == 16) store(e + i, v); else store_part(e + i, v, part);
    }
    v16 peak = splat(reduce_max(top)), acc = splat(0);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        v16 v = v_exp(load(e + i) - peak);
        store(e + i, v);
        acc += v;
    }
    float total = reduce_add(acc);
    if (i < n) {
        v16 v = v_exp(load_part(e + i, n - i, 0) - peak);
        store_part(e + i, v, n - i);
        for (long j = 0; j < n - i; j++) total += v[j];
    }
    return 1.0f / total;
}

/// softmax(x + mask) per row: e^(x − max) / Σ e^(x − max).
INLINE void k_softmax_rows(long rows, long n, const float *x, const float *mask, long first_row, long rows_per_mask, float *y) {
    for (long r = 0; r < rows; r++) {
        const float *m = mask ? mask + ((first_row + r) / rows_per_mask) * n : 0;
        float *dst = y + r * n;
        float inverse = softmax_exponentials(n, x + r * n, m, dst);
        MAP1(n, dst, dst, v * inverse)
    }
}

/// Gradient of softmax: y ⊙ (g − Σ g ⊙ y) per row.
INLINE void k_softmax_backward_rows(long rows, long n, const float *g, const float *y, float *dx) {
    for (long r = 0; r < rows; r++) {
        float dot = row_dot(n, g + r * n, y + r * n);
        MAP2(n, g + r * n, y + r * n, dx + r * n, w * (v - dot))
    }
}

/// log(softmax(x)) per row, computed stably as x − max − log Σ e^(x − max).
INLINE void k_log_softmax_rows(long rows, long n, const float *x, float *y) {
    for (long r = 0; r < rows; r++) {
        const float *src = x + r * n;
        v16 top = splat(row_max(n, src));
        float total;
        REDUCE_SUM(n, src, v_exp(v - top), total);
        float shift = top[0] + logf(total);
        MAP1(n, src, y + r * n, v - shift)
    }
}

/// d/dx = g − softmax(x) Σ g, with softmax(x) = e^y.
INLINE void k_log_softmax_backward_rows(long rows, long n, const float *g, const float *y, float *dx) {
    for (long r = 0; r < rows; r++) {
        float total;
        REDUCE_SUM(n, g + r * n, v, total);
        MAP2(n, g + r * n, y + r * n, dx + r * n, v - v_exp(w) * total)
    }
}

/// (x − mean) / sqrt(var + eps) · weight + bias per row with the biased variance (as PyTorch), saving the mean
/// and 1 / sqrt(var + eps) of each row for the backward pass.
INLINE void k_layer_norm_rows(long rows, long n, const float *x, const float *weight, const float *bias, float eps,
                              float *y, float *mean, float *inverse_deviation) {
    for (long r = 0; r < rows; r++) {
        const float *src = x + r * n;
        float *dst = y + r * n;
        float total, squares;
        REDUCE_SUM(n, src, v, total);
        float mu = total / (float)n;
        REDUCE_SUM(n, src, (v - mu) * (v - mu), squares);
        float rstd = 1.0f / sqrtf(squares / (float)n + eps);
        mean[r] = mu;
        inverse_deviation[r] = rstd;
        MAP2(n, src, weight, dst, (v - mu) * rstd * w)
        MAP2(n, dst, bias, dst, v + w)
    }
}

/// Layer norm of x + residual per row, the sum made in `y` and normalised there while it is in cache: the values
/// of adding, then `k_layer_norm_rows`, without the sum's round trip through memory.
INLINE void k_add_layer_norm_rows(long rows, long n, const float *x, const float *residual, const float *weight,
                                  const float *bias, float eps, float *y) {
    for (long r = 0; r < rows; r++) {
        float *dst = y + r * n, mean, inverse_deviation;
        MAP2(n, x + r * n, residual + r * n, dst, v + w)
        k_layer_norm_rows(1, n, dst, weight, bias, eps, dst, &mean, &inverse_deviation);
    }
}

/// dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) with ĝ = g ⊙ weight and x̂ = (x − mean) · rstd; adds
/// Σ g ⊙ x̂ and Σ g over these rows into the weight and bias gradient sums.
INLINE void k_layer_norm_backward_rows(long rows, long n, const float *g, const float *x, const float *weight,
                                       const float *mean, const float *inverse_deviation, float *dx,
                                       float *weight_grad_sum, float *bias_grad_sum) {
    for (long r = 0; r < rows; r++) {
        const float *gr = g + r * n, *xr = x + r * n;
        float mu = mean[r], rstd = inverse_deviation[r];
        // Σ ĝ and Σ ĝ ⊙ x̂, summed as REDUCE_SUM does.
        v16 sum_g = splat(0), sum_gx = splat(0);
        long i = 0;
        for (; i + 16 <= n; i += 16) {
            v16 ghat = load(gr + i) * load(weight + i);
            sum_g += ghat;
            sum_gx += ghat * ((load(xr + i) - mu) * rstd);
        }
        float total_g = reduce_add(sum_g), total_gx = reduce_add(sum_gx);
        for (; i < n; i++) {
            float ghat = gr[i] * weight[i];
            total_g += ghat;
            total_gx += ghat * ((xr[i] - mu) * rstd);
        }
        float mean_g = total_g / (float)n, mean_gx = total_gx / (float)n;
        for (long i = 0; i < n; i += 16) {
            long part = n - i < 16 ? n - i : 16;
            v16 gv = part == 16 ? load(gr + i) : load_part(gr + i, part, 0);
            v16 xv = part == 16 ? load(xr + i) : load_part(xr + i, part, mu);
            v16 wv = part == 16 ? load(weight + i) : load_part(weight + i, part, 0);
            v16 dw = part == 16 ? load(weight_grad_sum + i) : load_part(weight_grad_sum + i, part, 0);
            v16 db = part == 16 ? load(bias_grad_sum + i) : load_part(bias_grad_sum + i, part, 0);
            v16 xhat = (xv - mu) * rstd;
            v16 d = rstd * (gv * wv - mean_g - xhat * mean_gx);
            dw += gv * xhat;
            db += gv;
            if (part == 16) {
                store(dx + r * n + i, d);
                store(weight_grad_sum + i, dw);
                store(bias_grad_sum + i, db);
            } else {
                store_part(dx + r * n + i, d, part);
                store_part(weight_grad_sum + i, dw, part);
                store_part(bias_grad_sum + i, db, part);
            }
        }
    }
}

/// Round to nearest, ties to even, for |x| < 2^22: adding 1.5·2^23 leaves no fraction bits (as in v_exp).
INLINE v16 round_even(v16 x) { return (x + 12582912.0f) - 12582912.0f; }
INLINE float round_even_scalar(float x) { return (x + 12582912.0f) - 12582912.0f; }

/// Each row of `x` to u8 codes with its own scale and zero point, over the row's range widened to contain 0:
/// scale = (high − low) / 255 (1 for a zero row), zero = round(−low / scale), code = round(x / scale + zero)
/// clamped to 0...255.
INLINE void k_quantize_rows_u8(long rows, long n, const float *x, unsigned char *codes, float *scales,
                               int *zero_points) {
    for (long r = 0; r < rows; r++) {
        const float *src = x + r * n;
        unsigned char *dst = codes + r * n;
        v16 low = splat(0), high = splat(0);
        for (long i = 0; i < n; i += 16) {
            long part = n - i < 16 ? n - i : 16;
            v16 v = part == 16 ? load(src + i) : load_part(src + i, part, 0);
            low = blend(v < low, v, low);
            high = vmax(high, v);
        }
        float lo = -reduce_max(-low), hi = reduce_max(high);
        float scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
        float zero = round_even_scalar(-lo / scale);
        zero = zero < 0 ? 0 : zero > 255 ? 255 : zero;
        float inverse = 1.0f / scale;
        scales[r] = scale;
        zero_points[r] = (int)zero;
        for (long i = 0; i < n; i += 16) {
            long part = n - i < 16 ? n - i : 16;
            v16 v = part == 16 ? load(src + i) : load_part(src + i, part, 0);
            // Narrowed as a vector and stored whole: a byte-by-byte store was most of this kernel's time.
            v16b q = __builtin_convertvector(clamp(round_even(v * inverse + zero), 0, 255), v16b);
            memcpy(dst + i, &q, (size_t)part);
        }
    }
}

/// y[r, c] = row_scales[r] · col_scales[c] · (sums[r, c] − zero_points[r] · col_sums[c]) + bias[c], then GELU
/// (erf) when `gelu` is set: the int8 product's dequantization with its zero-point correction.
INLINE void k_dequantize_rows_s32(long rows, long n, const int *sums, const float *row_scales,
                                  const int *zero_points, const float *col_scales, const int *col_sums,
                                  const float *bias, int gelu, float *y) {
    for (long r = 0; r < rows; r++) {
        const int *src = sums + r * n;
        float *dst = y + r * n;
        float row_scale = row_scales[r];
        int zero = zero_points[r];
        long i = 0;
        for (; i + 16 <= n; i += 16) {
            v16i s, c;
            memcpy(&s, src + i, sizeof s);
            memcpy(&c, col_sums + i, sizeof c);
            v16 exact = __builtin_convertvector(s - zero * c, v16);
            v16 value = row_scale * load(col_scales + i) * exact + load(bias + i);
            store(dst + i, gelu ? v_gelu(value) : value);
        }
        long tail = i;
        for (; i < n; i++) dst[i] = row_scale * col_scales[i] * (float)(src[i] - zero * col_sums[i]) + bias[i];
        if (gelu && tail < n) MAP1(n - tail, dst + tail, dst + tail, v_gelu(v))
    }
}

// One entry point per kernel and instruction set; the kernel body is inlined into it and compiled for `TARGET`.
typedef unsigned int v16u __attribute__((ext_vector_type(16)));
typedef unsigned short v16h __attribute__((ext_vector_type(16)));

/// The upper 16 bits of `bits` (floats) rounded to nearest, ties to even, as `BFloat16.init` rounds: adding
/// 0x7FFF plus the lowest kept bit carries into the kept half exactly when the dropped half is above 0x8000, or
/// equal to it with an odd kept half. A NaN is truncated and kept quiet instead (its carry could make an infinity).
INLINE v16u bf16_bits(v16u bits) {
    v16u rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;
    v16u nan = (v16u)((v16i)(bits & 0x7FFFFFFF) > 0x7F800000);
    return (rounded & ~nan) | (((bits >> 16) | 0x40) & nan);
}

/// `y` = `x` rounded to bfloat16 bits, `count` elements.
INLINE void k_round_to_bf16(long count, const float *x, unsigned short *y) {
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        v16h narrow = __builtin_convertvector(bf16_bits((v16u)load(x + i)), v16h);
        memcpy(y + i, &narrow, sizeof narrow);
    }
    if (i < count) {
        v16h narrow = __builtin_convertvector(bf16_bits((v16u)load_part(x + i, count - i, 0)), v16h);
        memcpy(y + i, &narrow, (count - i) * sizeof(unsigned short));
    }
}

/// softmax(x + mask) per row as `k_softmax_rows`, each row's exponentials computed in `scratch` (`n` floats) and
/// stored scaled and rounded to bfloat16 bits: the same values as rounding `k_softmax_rows`' output.
INLINE void k_softmax_rows_bf16(long rows, long n, const float *x, const float *mask, long first_row, long rows_per_mask,
                                float *scratch, unsigned short *y) {
    for (long r = 0; r < rows; r++) {
        const float *m = mask ? mask + ((first_row + r) / rows_per_mask) * n : 0;
        v16 inverse = splat(softmax_exponentials(n, x + r * n, m, scratch));
        unsigned short *dst = y + r * n;
        for (long i = 0; i < n; i += 16) {
            long part = n - i < 16 ? n - i : 16;
            v16 v = part == 16 ? load(scratch + i) : load_part(scratch + i, part, 0);
            v16h narrow = __builtin_convertvector(bf16_bits((v16u)(v * inverse)), v16h);
            memcpy(dst + i, &narrow, (size_t)part * sizeof(unsigned short));
        }
    }
}

/// AdamW with decoupled weight decay, in the order of operations of the Swift loop it replaced (so the same bits):
/// p ← p·decay; m ← m + (1 − β₁)(g − m); v ← v·β₂ + (1 − β₂)·g·g; p ← p − step · m / (sqrt(v) / sqrt(1 − β₂ᵗ) + ε).
INLINE void k_adamw(long count, float *p, const float *g, float *m, float *v, const ck_adamw_coefficients *c) {
    for (long i = 0; i < count; i += 16) {
        long part = count - i < 16 ? count - i : 16;
        v16 pv = part == 16 ? load(p + i) : load_part(p + i, part, 0);
        v16 gv = part == 16 ? load(g + i) : load_part(g + i, part, 0);
        v16 mv = part == 16 ? load(m + i) : load_part(m + i, part, 0);
        v16 vv = part == 16 ? load(v + i) : load_part(v + i, part, 0);
        pv = pv * c->decay;
        mv = mv + c->one_minus_beta1 * (gv - mv);
        vv = vv * c->beta2 + c->one_minus_beta2 * gv * gv;
        pv = pv - c->step_size * mv / (__builtin_elementwise_sqrt(vv) / c->correction2_root + c->eps);
        if (part == 16) {
            store(p + i, pv), store(m + i, mv), store(v + i, vv);
        } else {
            store_part(p + i, pv, part), store_part(m + i, mv, part), store_part(v + i, vv, part);
        }
    }
}

#define KERNEL_SET(SET, TARGET)                                                                                     \
    TARGET static void exp_##SET(long c, const float *x, float *y) { k_exp(c, x, y); }                              \
    TARGET static void erf_##SET(long c, const float *x, float *y) { k_erf(c, x, y); }                              \
    TARGET static void tanh_##SET(long c, const float *x, float *y) { k_tanh(c, x, y); }                            \
    TARGET static void gelu_##SET(long c, const float *x, float *y) { k_gelu(c, x, y); }                            \
    TARGET static void gelu_backward_##SET(long c, const float *g, const float *x, float *d) { k_gelu_backward(c, g, x, d); } \
    TARGET static void gelu_tanh_##SET(long c, const float *x, float *y) { k_gelu_tanh(c, x, y); }                  \
    TARGET static void gelu_tanh_backward_##SET(long c, const float *g, const float *x, float *d) {                  \
        k_gelu_tanh_backward(c, g, x, d);                                                                           \
    }                                                                                                               \
    TARGET static void silu_##SET(long c, const float *x, float *y) { k_silu(c, x, y); }                            \
    TARGET static void silu_backward_##SET(long c, const float *g, const float *x, float *d) { k_silu_backward(c, g, x, d); } \
    TARGET static void softmax_rows_##SET(long rows, long n, const float *x, const float *mask, long first,           \
                                          long per_mask, float *y) {                                                \
        k_softmax_rows(rows, n, x, mask, first, per_mask, y);                                                       \
    }                                                                                                               \
    TARGET static void softmax_backward_rows_##SET(long rows, long n, const float *g, const float *y, float *dx) {   \
        k_softmax_backward_rows(rows, n, g, y, dx);                                                                 \
    }                                                                                                               \
    TARGET static void log_softmax_rows_##SET(long rows, long n, const float *x, float *y) {                          \
        k_log_softmax_rows(rows, n, x, y);                                                                          \
    }                                                                                                               \
    TARGET static void log_softmax_backward_rows_##SET(long rows, long n, const float *g, const float *y, float *dx) { \
        k_log_softmax_backward_rows(rows, n, g, y, dx);                                                             \
    }                                                                                                               \
    TARGET static void layer_norm_rows_##SET(long rows, long n, const float *x, const float *w, const float *b,       \
                                             float eps, float *y, float *mean, float *rstd) {                       \
        k_layer_norm_rows(rows, n, x, w, b, eps, y, mean, rstd);                                                    \
    }                                                                                                               \
    TARGET static void add_layer_norm_rows_##SET(long rows, long n, const float *x, const float *r, const float *w,   \
                                                 const float *b, float eps, float *y) {                             \
        k_add_layer_norm_rows(rows, n, x, r, w, b, eps, y);                                                         \
    }                                                                                                               \
    TARGET static void layer_norm_backward_rows_##SET(long rows, long n, const float *g, const float *x,             \
                                                      const float *w, const float *mean, const float *rstd,         \
                                                      float *dx, float *dw, float *db) {                            \
        k_layer_norm_backward_rows(rows, n, g, x, w, mean, rstd, dx, dw, db);                                       \
    }                                                                                                               \
    TARGET static void quantize_rows_u8_##SET(long rows, long n, const float *x, unsigned char *q, float *s, int *z) { \
        k_quantize_rows_u8(rows, n, x, q, s, z);                                                                    \
    }                                                                                                               \
    TARGET static void dequantize_rows_s32_##SET(long rows, long n, const int *sums, const float *rs, const int *z,  \
                                                 const float *cs, const int *csum, const float *b, int gelu,        \
                                                 float *y) {                                                        \
        k_dequantize_rows_s32(rows, n, sums, rs, z, cs, csum, b, gelu, y);                                          \
    }                                                                                                               \
    TARGET static void round_to_bf16_##SET(long c, const float *x, unsigned short *y) { k_round_to_bf16(c, x, y); } \
    TARGET static void adamw_##SET(long n, float *p, const float *g, float *m, float *v,                            \
                                   const ck_adamw_coefficients *c) {                                                \
        k_adamw(n, p, g, m, v, c);                                                                                  \
    }                                                                                                               \
    TARGET static void softmax_rows_bf16_##SET(long rows, long n, const float *x, const float *mask, long first,      \
                                               long per_mask, float *scratch, unsigned short *y) {                  \
        k_softmax_rows_bf16(rows, n, x, mask, first, per_mask, scratch, y);                                         \
    }                                                                                                               \
    static const ck_vector_kernels kernels_##SET = {                                                                \
        exp_##SET, erf_##SET, tanh_##SET, gelu_##SET, gelu_backward_##SET, gelu_tanh_##SET,                          \
        gelu_tanh_backward_##SET, silu_##SET, silu_backward_##SET, softmax_rows_##SET,                              \
        softmax_backward_rows_##SET, log_softmax_rows_##SET, log_softmax_backward_rows_##SET,                       \
        layer_norm_rows_##SET, add_layer_norm_rows_##SET, layer_norm_backward_rows_##SET, quantize_rows_u8_##SET, dequantize_rows_s32_##SET,   \
        round_to_bf16_##SET, adamw_##SET, softmax_rows_bf16_##SET,                                                                \
    };

KERNEL_SET(baseline, )

#if defined(__x86_64__)
KERNEL_SET(avx2, __attribute__((target("avx2"))))
KERNEL_SET(avx512, __attribute__((target("avx512f"))))

const ck_vector_kernels *ck_vector_kernels_for(ck_instruction_set set) {
    switch (set) {
    case ck_avx512: return &kernels_avx512;
    case ck_avx2: return &kernels_avx2;
    default: return &kernels_baseline;
    }
}
#else
const ck_vector_kernels *ck_vector_kernels_for(ck_instruction_set set) {
    (void)set;
    return &kernels_baseline;
}
#endif
