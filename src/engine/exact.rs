//! Sums of f32 values in f64 that are exact, so any order gives the same bits: a sum kept in a
//! fixed order for reproducibility can then run in vectorised lanes instead.

/// Whether every sum of at most `terms` of `values` is exact in f64, whatever the order: each
/// value is 0 or of magnitude in [2^-e, 2) with e = 29 - ceil(log2(terms)), so it is a whole
/// multiple of 2^-(e + 23), and a sum, below 2 x terms, needs at most 53 bits (f64's
/// precision). No NaN or infinity passes.
#[inline(always)]
pub fn sums_are_exact(values: &[f32], terms: usize) -> bool {
    let smallest = smallest_exact(terms);
    values.iter().fold(true, |ok, &v| {
        let a = v.abs();
        ok & ((a == 0.0) | (smallest..2.0).contains(&a))
    })
}

/// The smallest magnitude other than 0 that [`sums_are_exact`] accepts for sums of `terms`.
fn smallest_exact(terms: usize) -> f32 {
    let bits_of_terms = usize::BITS - terms.max(1).saturating_sub(1).leading_zeros();
    2f32.powi(bits_of_terms as i32 - 29)
}

/// A key of [`keyed_sum`], read as its byte (an enum of `#[repr(u8)]`).
pub trait Key: Copy {
    fn byte(self) -> u8;
}

/// Lanes of [`keyed_sum`]: four vectors of four f64, so the adds do not wait on each other.
const LANES: usize = 16;

/// The sum of the `values` whose key is `key`, in any order: the bits of the ordered sum only
/// when [`sums_are_exact`] holds. The others' values are masked to 0 bit by bit (a choice of
/// value kept the compiler from vectorising).
#[inline(always)]
pub fn keyed_sum<K: Key>(keys: &[K], values: &[f32], key: K) -> f64 {
    let mut lanes = [0.0f64; LANES];
    let (key_blocks, value_blocks) = (keys.chunks_exact(LANES), values.chunks_exact(LANES));
    let rest = key_blocks.remainder().iter().zip(value_blocks.remainder());
    for (ks, vs) in key_blocks.zip(value_blocks) {
        for lane in 0..LANES {
            let keep = (-i64::from(ks[lane].byte() == key.byte())) as u64;
            lanes[lane] += f64::from_bits((vs[lane] as f64).to_bits() & keep);
        }
    }
    for (_, &v) in rest.filter(|&(&other, _)| other.byte() == key.byte()) {
        lanes[0] += v as f64;
    }
    lanes.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_exact_magnitude_shrinks_with_fewer_terms() {
        assert_eq!(smallest_exact(4096), 2f32.powi(-17));
        assert_eq!(smallest_exact(4097), 2f32.powi(-16));
        assert_eq!(smallest_exact(1), 2f32.powi(-29));
        assert_eq!(smallest_exact(0), 2f32.powi(-29));
        assert_eq!(smallest_exact(1 << 29), 1.0);
    }
}
