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

/// The bits set in `flags`, bit k for `flags[k]` (on x86_64 sixteen at a time, by SSE2).
#[inline(always)]
pub fn mask(flags: &[bool; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_movemask_epi8, _mm_slli_epi64};
        let sixteen = |q: usize| {
            // SAFETY: SSE2 is part of x86_64, and the 16 bytes read lie in `flags`. A bool is
            // the byte 0 or 1: shifted left by 7 its bit lands on the byte's top bit, which
            // `movemask` gathers.
            unsafe {
                let bytes = _mm_loadu_si128(flags.as_ptr().add(16 * q).cast::<__m128i>());
                _mm_movemask_epi8(_mm_slli_epi64::<7>(bytes)) as u16 as u64
            }
        };
        sixteen(0) | sixteen(1) << 16 | sixteen(2) << 32 | sixteen(3) << 48
    }
    #[cfg(not(target_arch = "x86_64"))]
    flags.iter().enumerate().fold(0, |bits, (k, &on)| bits | u64::from(on) << k)
}

/// The positions of the bits set in `bits`, lowest first.
#[inline(always)]
pub fn bits(mut bits: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (bits != 0).then(|| {
            let k = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            k
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mask_s_bits_come_lowest_first() {
        let mut flags = [false; 64];
        for k in [0, 5, 6, 63] {
            flags[k] = true;
        }
        assert_eq!(mask(&flags), 1 | 1 << 5 | 1 << 6 | 1 << 63);
        assert_eq!(bits(mask(&flags)).collect::<Vec<_>>(), [0, 5, 6, 63]);
        assert_eq!(bits(0).count(), 0);
        // Every flag alone, and patterns over all four groups of sixteen.
        for k in 0..64 {
            let mut one = [false; 64];
            one[k] = true;
            assert_eq!(mask(&one), 1 << k);
        }
        for pattern in [0u64, u64::MAX, 0x8000_0001_8000_0001, 0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210] {
            let flags: [bool; 64] = std::array::from_fn(|k| pattern >> k & 1 == 1);
            assert_eq!(mask(&flags), pattern);
        }
    }
}
