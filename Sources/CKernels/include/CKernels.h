#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdbool.h>

/// Instruction-set extensions that this CPU has and the operating system has enabled (XCR0), read with cpuid.
typedef struct {
    bool avx2;
    bool avx512f;
    bool avx512_vnni;
    bool avx512_bf16;
    bool avx_vnni;
    bool amx_tile;
    bool amx_int8;
    bool amx_bf16;
} ck_cpu_features;

/// The features of the CPU this process runs on (all false on other architectures than x86-64).
ck_cpu_features ck_detect_cpu_features(void);

/// The numbers of one AdamW update, as `adamw` combines them (see there).
typedef struct {
    float decay;            // 1 − learning rate · weight decay
    float one_minus_beta1;  // 1 − β₁
    float beta2;
    float one_minus_beta2;  // 1 − β₂
    float step_size;        // learning rate / (1 − β₁ᵗ)
    float correction2_root; // sqrt(1 − β₂ᵗ)
    float eps;
} ck_adamw_coefficients;

/// The engine's vector kernels, compiled once per instruction set. Counts and row lengths are element counts;
/// `first_row` is the index of `x`'s first row in the whole tensor (it picks the mask row).
typedef struct {
    void (*_Nonnull exp)(long count, const float *_Nonnull x, float *_Nonnull y);
    void (*_Nonnull erf)(long count, const float *_Nonnull x, float *_Nonnull y);
    void (*_Nonnull tanh)(long count, const float *_Nonnull x, float *_Nonnull y);
    void (*_Nonnull gelu)(long count, const float *_Nonnull x, float *_Nonnull y);
    void (*_Nonnull gelu_backward)(long count, const float *_Nonnull g, const float *_Nonnull x, float *_Nonnull dx);
    void (*_Nonnull gelu_tanh)(long count, const float *_Nonnull x, float *_Nonnull y);
    void (*_Nonnull gelu_tanh_backward)(long count, const float *_Nonnull g, const float *_Nonnull x, float *_Nonnull dx);
    void (*_Nonnull silu)(long count, const float *_Nonnull x, float *_Nonnull y);
    void (*_Nonnull silu_backward)(long count, const float *_Nonnull g, const float *_Nonnull x, float *_Nonnull dx);
    void (*_Nonnull softmax_rows)(long rows, long n, const float *_Nonnull x, const float *_Nullable mask,
                                  long first_row, long rows_per_mask, float *_Nonnull y);
    void (*_Nonnull softmax_backward_rows)(long rows, long n, const float *_Nonnull g, const float *_Nonnull y,
                                           float *_Nonnull dx);
    void (*_Nonnull log_softmax_rows)(long rows, long n, const float *_Nonnull x, float *_Nonnull y);
    void (*_Nonnull log_softmax_backward_rows)(long rows, long n, const float *_Nonnull g, const float *_Nonnull y,
                                               float *_Nonnull dx);
    void (*_Nonnull layer_norm_rows)(long rows, long n, const float *_Nonnull x, const float *_Nonnull weight,
                                     const float *_Nonnull bias, float eps, float *_Nonnull y, float *_Nonnull mean,
                                     float *_Nonnull inverse_deviation);
    /// `layer_norm_rows` of x + residual, without the means and deviations (inference).
    void (*_Nonnull add_layer_norm_rows)(long rows, long n, const float *_Nonnull x, const float *_Nonnull residual,
                                         const float *_Nonnull weight, const float *_Nonnull bias, float eps,
                                         float *_Nonnull y);
    void (*_Nonnull layer_norm_backward_rows)(long rows, long n, const float *_Nonnull g, const float *_Nonnull x,
                                              const float *_Nonnull weight, const float *_Nonnull mean,
                                              const float *_Nonnull inverse_deviation, float *_Nonnull dx,
                                              float *_Nonnull weight_grad_sum, float *_Nonnull bias_grad_sum);
    void (*_Nonnull quantize_rows_u8)(long rows, long n, const float *_Nonnull x, unsigned char *_Nonnull codes,
                                      float *_Nonnull scales, int *_Nonnull zero_points);
    void (*_Nonnull dequantize_rows_s32)(long rows, long n, const int *_Nonnull sums, const float *_Nonnull row_scales,
                                         const int *_Nonnull zero_points, const float *_Nonnull col_scales,
                                         const int *_Nonnull col_sums, const float *_Nonnull bias, int gelu,
                                         float *_Nonnull y);
    void (*_Nonnull round_to_bf16)(long count, const float *_Nonnull x, unsigned short *_Nonnull y);
    /// One AdamW step of `count` parameters `p` with gradients `g` and moments `m`, `v`, updated in place.
    void (*_Nonnull adamw)(long count, float *_Nonnull p, const float *_Nonnull g, float *_Nonnull m, float *_Nonnull v,
                           const ck_adamw_coefficients *_Nonnull c);
    /// `softmax_rows` stored as bfloat16 bits, each row computed in `scratch` (`n` floats) first.
    void (*_Nonnull softmax_rows_bf16)(long rows, long n, const float *_Nonnull x, const float *_Nullable mask,
                                       long first_row, long rows_per_mask, float *_Nonnull scratch,
                                       unsigned short *_Nonnull y);
} ck_vector_kernels;

typedef enum { ck_baseline, ck_avx2, ck_avx512 } ck_instruction_set;

/// The kernels compiled for `set` (x86-64's SSE2 baseline, AVX2, or AVX-512F); the caller checks that the
/// CPU has it. Other architectures get their baseline for every set.
const ck_vector_kernels *_Nonnull ck_vector_kernels_for(ck_instruction_set set);

#endif
