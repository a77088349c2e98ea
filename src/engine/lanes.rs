//! Vector width chosen at run time: a loop-heavy pass may run in a build for 512-bit vectors or
//! for AVX2's 256-bit ones where the processor has them (`#[target_feature]` on a copy of the
//! pass, chosen by [`lanes`]) and in the portable build elsewhere. Integer operations and IEEE
//! float operations, which Rust never fuses or reorders, give the same bits at any width, so
//! only the speed depends on the processor; each such pass has a test that every build the
//! processor runs agrees with the portable one.

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

/// Whether the processor has AVX2 (256-bit integer and float vectors; a 64-bit multiply is
/// built from 32-bit ones), for a copy built with `#[target_feature(enable = "avx2")]`.
#[cfg(target_arch = "x86_64")]
pub fn has_avx2() -> bool {
    std::is_x86_feature_detected!("avx2")
}

/// The widest build of a pass this processor runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lanes {
    /// 512-bit vectors ([`has_wide_lanes`]).
    Wide,
    /// AVX2 ([`has_avx2`]).
    Avx2,
    /// The portable build.
    Portable,
}

impl Lanes {
    /// Every build, widest first.
    pub const ALL: [Lanes; 3] = [Lanes::Wide, Lanes::Avx2, Lanes::Portable];

    /// Whether this processor runs this build.
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        match self {
            Lanes::Wide => return has_wide_lanes(),
            Lanes::Avx2 => return has_avx2(),
            Lanes::Portable => {}
        }
        self == Lanes::Portable
    }
}

/// The widest build this processor runs.
pub fn lanes() -> Lanes {
    static WIDEST: std::sync::OnceLock<Lanes> = std::sync::OnceLock::new();
    // `Portable`, last, is always available.
    *WIDEST.get_or_init(|| Lanes::ALL.into_iter().find(|build| build.available()).unwrap_or(Lanes::Portable))
}
