// Kernels of `tierlab calibrate --gpu` (dev.tierlab.emulator.cuda.GpuCalibration). Compiled to PTX
// by scripts/build-kernels; extern "C" keeps the entry names as the Java side spells them.
#include <stdint.h>

// Reads n16 16-byte words from src (device memory, or mapped pinned host memory read in place over
// PCIe) with a grid-stride loop and folds them into one word per thread, written to sink only when
// it equals a value it cannot take, so the compiler keeps every load and the kernel writes nothing.
extern "C" __global__ void read_stream(const uint4* __restrict__ src, size_t n16, uint4* sink) {
    uint4 acc = make_uint4(0, 0, 0, 0);
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n16; i += (size_t)gridDim.x * blockDim.x) {
        uint4 v = src[i];
        acc.x ^= v.x;
        acc.y ^= v.y;
        acc.z ^= v.z;
        acc.w ^= v.w;
    }
    if (acc.x == 0xdeadbeefu && acc.y == 0x01234567u && acc.z == 0x89abcdefu && acc.w == 0xfeedfaceu) {
        sink[0] = acc;
    }
}
