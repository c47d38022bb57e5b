// Kernels of tierlab's CUDA engine (dev.tierlab.inference.cuda.CudaContext). Activations are f32,
// weights and the KV cache f16. Roundings follow the Java engine (and llama.cpp's CPU backend)
// where they change results: activations meet f16 weights as f16, queries and attention
// probabilities meet the f16 cache as f16. Compiled to PTX by scripts/build-kernels; every entry
// point is extern "C" so that its name in the PTX is the name the Java side asks for.
#include <cuda_fp16.h>

#define WARP 32

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = WARP / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = WARP / 2; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over a block of up to 1024 threads; every thread gets the result. scratch: 32 floats.
__device__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x % WARP, warp = threadIdx.x / WARP;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float s = lane < (blockDim.x + WARP - 1) / WARP ? scratch[lane] : 0.f;
    return warp_sum(s);
}

__device__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x % WARP, warp = threadIdx.x / WARP;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float s = lane < (blockDim.x + WARP - 1) / WARP ? scratch[lane] : -INFINITY;
    return warp_max(s);
}

__device__ __forceinline__ float f16_round(float v) { return __half2float(__float2half(v)); }

// out[t] = x[t] * rsqrt(mean(x[t]^2) + eps) * w; one block per token t of x[n_tok][n].
extern "C" __global__ void rmsnorm_f32(const float* __restrict__ x, const float* __restrict__ w,
                                       float* __restrict__ out, int n, float eps) {
    __shared__ float scratch[WARP];
    const float* xt = x + (size_t)blockIdx.x * n;
    float* ot = out + (size_t)blockIdx.x * n;
    float ss = 0.f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) ss += xt[i] * xt[i];
    ss = block_sum(ss, scratch);
    float scale = rsqrtf(ss / n + eps);
    for (int i = threadIdx.x; i < n; i += blockDim.x) ot[i] = xt[i] * scale * w[i];
}

// Positions come from device memory (*pos_p, the micro-batch's first position), not from kernel
// arguments, so that one captured decode step (a CUDA graph) serves every position.

// Rotary embedding in place on v[n_tok][heads * head_dim], token t at position *pos_p + t: adjacent
// pairs (llama) or halves (neox, qwen2). grid (n_tok, heads), block head_dim / 2. The angle is
// formed in double, as the Java engine forms it, then rounded to float for cos and sin.
extern "C" __global__ void rope_f32(float* v, int heads, int head_dim, const int* __restrict__ pos_p, float base,
                                    const float* __restrict__ freq_factors, int neox) {
    int pos0 = *pos_p;
    int t = blockIdx.x, h = blockIdx.y, i = threadIdx.x, half_dim = head_dim / 2;
    if (i >= half_dim) return;
    double theta = (double)(pos0 + t) * pow((double)base, -2.0 * i / head_dim);
    if (freq_factors != nullptr) theta /= freq_factors[i];
    float c = (float)cos(theta), s = (float)sin(theta);
    float* p = v + ((size_t)t * heads + h) * head_dim;
    int a = neox ? i : 2 * i, b = neox ? i + half_dim : 2 * i + 1;
    float x0 = p[a], x1 = p[b];
    p[a] = x0 * c - x1 * s;
    p[b] = x0 * s + x1 * c;
}

// g[i] = silu(g[i]) * u[i] over n values.
extern "C" __global__ void swiglu_f32(float* g, const float* __restrict__ u, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float a = g[i];
        g[i] = a / (1.f + expf(-a)) * u[i];
    }
}

// x[i] += y[i] (residual connections).
extern "C" __global__ void add_f32(float* x, const float* __restrict__ y, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) x[i] += y[i];
}

// x[t] = table[ids[t]] as f32; grid n_tok, table f16 [vocab][n].
extern "C" __global__ void embed_f16(const __half* __restrict__ table, const int* __restrict__ ids,
                                     float* __restrict__ x, int n) {
    const __half* row = table + (size_t)ids[blockIdx.x] * n;
    for (int i = threadIdx.x; i < n; i += blockDim.x) x[(size_t)blockIdx.x * n + i] = __half2float(row[i]);
}

#define GEMV_TOKENS 8

// y[t][r] = W[r] . f16(x[t]) (+ bias[r]) for W f16 [rows][cols] (cols a multiple of 8), x f32
// [n_tok][cols]. The decode fallback for cuBLAS: one warp per row, 16-byte loads of 8 weights, each
// row read once for up to GEMV_TOKENS tokens (grid.y covers the rest). W may be device memory or
// mapped host memory (host-mapped tier): the kernel is the same, only the bytes' path differs.
extern "C" __global__ void gemv_f16(const __half* __restrict__ w, const float* __restrict__ x,
                                    float* __restrict__ y, const float* __restrict__ bias,
                                    int rows, int cols, int n_tok) {
    int warps = blockDim.x / WARP;
    int row = blockIdx.x * warps + threadIdx.x / WARP;
    int lane = threadIdx.x % WARP;
    int t0 = blockIdx.y * GEMV_TOKENS;
    int nt = min(GEMV_TOKENS, n_tok - t0);
    if (row >= rows) return;
    float acc[GEMV_TOKENS];
#pragma unroll
    for (int t = 0; t < GEMV_TOKENS; t++) acc[t] = 0.f;
    const uint4* wr = (const uint4*)(w + (size_t)row * cols);
    int chunks = cols / 8;
    for (int c = lane; c < chunks; c += WARP) {
        uint4 raw = wr[c];
        const __half2* h = (const __half2*)&raw;
        float wf[8];
#pragma unroll
        for (int k = 0; k < 4; k++) {
            float2 f = __half22float2(h[k]);
            wf[2 * k] = f.x;
            wf[2 * k + 1] = f.y;
        }
#pragma unroll
        for (int t = 0; t < GEMV_TOKENS; t++) {
            if (t < nt) {
                const float* xt = x + (size_t)(t0 + t) * cols + 8 * c;
#pragma unroll
                for (int k = 0; k < 8; k++) acc[t] += wf[k] * f16_round(xt[k]);
            }
        }
    }
#pragma unroll
    for (int t = 0; t < GEMV_TOKENS; t++) {
        float s = warp_sum(acc[t]);
        if (lane == 0 && t < nt) y[(size_t)(t0 + t) * rows + row] = s + (bias != nullptr ? bias[row] : 0.f);
    }
}

// Writes the new tokens' K and V (f32 [n_tok][kv_dim]) into the f16 caches at positions *pos_p...
extern "C" __global__ void kv_store_f16(const float* __restrict__ k, const float* __restrict__ v,
                                        __half* kc, __half* vc, int n_tok, int kv_dim, const int* __restrict__ pos_p) {
    int pos0 = *pos_p;
    size_t n = (size_t)n_tok * kv_dim;
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        size_t at = (size_t)pos0 * kv_dim + i;
        kc[at] = __float2half(k[i]);
        vc[at] = __float2half(v[i]);
    }
}

// Causal attention of query token t (position *pos_p + t) and head h over the f16 cache positions
// [0, *pos_p + t]: grid (heads, n_tok), block of threads over positions then over dimensions.
// Dynamic shared memory: head_dim query values + n_ctx scores, floats.
extern "C" __global__ void attention_f16kv(const float* __restrict__ q, const __half* __restrict__ kc,
                                           const __half* __restrict__ vc, float* __restrict__ out,
                                           int heads, int heads_kv, int head_dim, const int* __restrict__ pos_p, float scale) {
    extern __shared__ float smem[];
    int pos0 = *pos_p;
    __shared__ float scratch[WARP];
    int h = blockIdx.x, t = blockIdx.y, kvh = h / (heads / heads_kv), kv_dim = heads_kv * head_dim;
    int last = pos0 + t;
    float* qh = smem;
    float* scores = smem + head_dim;
    const float* qt = q + ((size_t)t * heads + h) * head_dim;
    for (int d = threadIdx.x; d < head_dim; d += blockDim.x) qh[d] = f16_round(qt[d]);
    __syncthreads();
    float mx = -INFINITY;
    for (int j = threadIdx.x; j <= last; j += blockDim.x) {
        const __half* kj = kc + (size_t)j * kv_dim + (size_t)kvh * head_dim;
        float s = 0.f;
        for (int d = 0; d < head_dim; d++) s += qh[d] * __half2float(kj[d]);
        s *= scale;
        scores[j] = s;
        mx = fmaxf(mx, s);
    }
    mx = block_max(mx, scratch);
    float sum = 0.f;
    for (int j = threadIdx.x; j <= last; j += blockDim.x) {
        float e = expf(scores[j] - mx);
        scores[j] = e;
        sum += e;
    }
    sum = block_sum(sum, scratch);
    __syncthreads();
    for (int j = threadIdx.x; j <= last; j += blockDim.x) scores[j] = f16_round(scores[j] / sum);
    __syncthreads();
    float* ot = out + ((size_t)t * heads + h) * head_dim;
    for (int d = threadIdx.x; d < head_dim; d += blockDim.x) {
        float acc = 0.f;
        for (int j = 0; j <= last; j++) acc += scores[j] * __half2float(vc[(size_t)j * kv_dim + (size_t)kvh * head_dim + d]);
        ot[d] = acc;
    }
}
