//! Software prefetch: a hint that a pass will soon touch an element at random.
//!
//! A pass over sorted indices that touches a few scattered elements for each waits for memory on
//! every one when the arrays outgrow the cache. Asking for the elements of an index a few places
//! ahead lets those waits overlap. A hint changes no value: only when the memory arrives.

/// Asks for `values[index]` to be brought into cache (nothing if out of bounds, or on a
/// processor without the instruction).
#[inline(always)]
pub fn prefetch<T>(values: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(value) = values.get(index) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: every x86_64 processor has SSE, and a prefetch reads nothing the program sees
        // (the pointer is to a live element besides).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(value).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, index);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefetch_anywhere_is_harmless() {
        let values = vec![1u32, 2, 3];
        for index in [0, 2, 3, usize::MAX] {
            prefetch(&values, index);
        }
        prefetch::<u8>(&[], 0);
        assert_eq!(values, [1, 2, 3]);
    }
}
