//! Vector width chosen at run time: a loop-heavy pass may run in a build for 512-bit vectors
//! where the processor has them (`#[target_feature]` on a copy of the pass, chosen by
//! [`has_wide_lanes`]) and in the portable build elsewhere. Integer operations and IEEE float
//! operations, which Rust never fuses or reorders, give the same bits at any width, so only the
//! speed depends on the processor; each such pass has a test that both builds agree.

/// Whether the processor has 512-bit vectors with a 64-bit multiply in every lane (AVX-512 F,
/// DQ and VL), and every feature that enabling those switches on in the compiler (AVX2, FMA,
/// F16C), so a copy built with `#[target_feature(enable = "avx512f,avx512dq,avx512vl")]` runs
/// only where all of them are present (a virtual machine may hide some).
#[cfg(target_arch = "x86_64")]
pub fn has_wide_lanes() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("f16c")
}
