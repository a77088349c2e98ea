//! Vector width chosen at run time: a loop-heavy pass may run in a build for 512-bit vectors
//! where the processor has them (`#[target_feature]` on a copy of the pass, chosen by
//! [`has_wide_lanes`]) and in the portable build elsewhere. Integer operations and IEEE float
//! operations, which Rust never fuses or reorders, give the same bits at any width, so only the
//! speed depends on the processor; each such pass has a test that both builds agree.

/// Whether the processor has 512-bit vectors with a 64-bit multiply in every lane (AVX-512 F,
/// DQ and VL).
#[cfg(target_arch = "x86_64")]
pub fn has_wide_lanes() -> bool {
    std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512vl")
}
