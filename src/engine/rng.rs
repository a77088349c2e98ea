//! Counter-based random streams keyed by (seed, replicate, day, agent, purpose).
//!
//! Every random draw in linli comes from a generator built by [`StreamKey::rng`]. The key
//! fully determines the stream, so results do not depend on thread count or scheduling, and a
//! policy that adds draws for one purpose does not shift the draws of another (common random
//! numbers between arms).

use rand_pcg::Pcg64Mcg;

/// What a stream is used for; part of the key so purposes never share draws. The engine does
/// not interpret the number: the model and the experiment layer declare their purposes (each
/// with a distinct number, checked by a test) beside the code that draws from them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purpose(pub u64);

/// The coordinates of one random stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamKey {
    pub seed: u64,
    pub replicate: u32,
    pub day: u32,
    pub agent: u32,
    pub purpose: Purpose,
}

impl StreamKey {
    /// A 128-bit digest of the key; distinct keys give unrelated digests.
    pub fn digest(&self) -> u128 {
        DayStreams::new(self.seed, self.replicate, self.day, self.purpose).digest(self.agent)
    }

    /// The generator for this key.
    #[inline]
    pub fn rng(&self) -> Pcg64Mcg {
        Pcg64Mcg::new(self.digest())
    }
}

/// The streams of one (seed, replicate, day, purpose) for every agent, with the part of the
/// key digest that does not depend on the agent computed once. `DayStreams::rng(agent)` is the
/// same generator as `StreamKey { .., agent, .. }.rng()`.
#[derive(Clone, Copy, Debug)]
pub struct DayStreams {
    prefix: u64,
}

impl DayStreams {
    pub fn new(seed: u64, replicate: u32, day: u32, purpose: Purpose) -> DayStreams {
        let a = mix64(seed ^ mix64(purpose.0));
        DayStreams { prefix: mix64(a ^ ((replicate as u64) << 32 | day as u64)) }
    }

    #[inline]
    fn digest(&self, agent: u32) -> u128 {
        let c = mix64(self.prefix ^ mix64(agent as u64 ^ 0x9e37_79b9_7f4a_7c15));
        let d = mix64(c ^ 0xd1b5_4a32_d192_ed03);
        (c as u128) << 64 | d as u128
    }

    /// The generator of `agent` on this day.
    #[inline]
    pub fn rng(&self, agent: u32) -> Pcg64Mcg {
        Pcg64Mcg::new(self.digest(agent))
    }

    /// The draws of `agent` on this day, each computed on its own (see [`AgentDraws`]).
    #[inline]
    pub fn agent(&self, agent: u32) -> AgentDraws {
        AgentDraws { state: self.digest(agent) | 1 }
    }
}

/// The outputs of one agent's generator ([`DayStreams::rng`]) by position, each computed
/// directly: PCG's state after n steps is the first state times the multiplier to the n (a
/// multiplicative congruential generator), so output n costs one multiplication, and a pass
/// that needs two of a resident's draws does not pay for the ones between. Output n equals
/// the (n + 1)-th `next_u64` of the generator, so results are those of drawing in sequence.
#[derive(Clone, Copy, Debug)]
pub struct AgentDraws {
    state: u128,
}

impl AgentDraws {
    /// Output `n` (0-based) of the agent's generator.
    #[inline]
    pub fn nth(&self, n: u32) -> u64 {
        output_xsl_rr(self.state.wrapping_mul(multiplier_power(n + 1)))
    }
}

/// PCG 128-bit MCG's multiplier (rand_pcg's `Mcg128Xsl64`, O'Neill 2014).
const PCG_MULTIPLIER: u128 = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645;

/// The multiplier's first powers, computed at compile time.
const POWERS: [u128; 64] = {
    let mut powers = [1u128; 64];
    let mut k = 1;
    while k < 64 {
        powers[k] = powers[k - 1].wrapping_mul(PCG_MULTIPLIER);
        k += 1;
    }
    powers
};

/// The multiplier to the power `n` (mod 2^128).
#[inline]
fn multiplier_power(n: u32) -> u128 {
    match POWERS.get(n as usize) {
        Some(&power) => power,
        None => (0..n).fold(1u128, |p, _| p.wrapping_mul(PCG_MULTIPLIER)),
    }
}

/// PCG's output function XSL RR: the state's halves xored, rotated by its top six bits.
#[inline]
fn output_xsl_rr(state: u128) -> u64 {
    let rotation = (state >> 122) as u32;
    (((state >> 64) as u64) ^ (state as u64)).rotate_right(rotation)
}

/// The SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijective avalanche mix.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform float in [0, 1) from the top 24 bits of `bits`.
#[inline]
pub fn unit_f32(bits: u32) -> f32 {
    (bits >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, RngExt};

    fn key(day: u32, agent: u32) -> StreamKey {
        StreamKey { seed: 7, replicate: 0, day, agent, purpose: Purpose(3) }
    }

    #[test]
    fn same_key_same_stream() {
        assert_eq!(key(3, 4).rng().next_u64(), key(3, 4).rng().next_u64());
    }

    #[test]
    fn each_coordinate_changes_the_stream() {
        let base = key(3, 4);
        let variants = [
            StreamKey { seed: 8, ..base },
            StreamKey { replicate: 1, ..base },
            StreamKey { day: 4, ..base },
            StreamKey { agent: 5, ..base },
            StreamKey { purpose: Purpose(4), ..base },
        ];
        let first = base.rng().next_u64();
        for variant in variants {
            assert_ne!(variant.rng().next_u64(), first, "{variant:?}");
        }
    }

    #[test]
    fn streams_look_uniform() {
        // Mean of one draw from each of many neighbouring keys: catches a weak key mix.
        let n = 20_000;
        let mean: f64 = (0..n).map(|agent| key(0, agent).rng().random::<f64>()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
    }

    #[test]
    fn day_streams_equal_keyed_streams() {
        let day = DayStreams::new(7, 2, 30, Purpose(3));
        for agent in [0, 1, 12_345, u32::MAX] {
            let key = StreamKey { seed: 7, replicate: 2, day: 30, agent, purpose: Purpose(3) };
            assert_eq!(day.rng(agent).next_u64(), key.rng().next_u64());
        }
    }

    #[test]
    fn each_output_computed_alone_is_the_generators_in_sequence() {
        let day = DayStreams::new(7, 2, 30, Purpose(3));
        for agent in [0, 1, 12_345, u32::MAX] {
            let mut rng = day.rng(agent);
            let draws = day.agent(agent);
            for n in 0..70 {
                assert_eq!(draws.nth(n), rng.next_u64(), "agent {agent}, output {n}");
            }
        }
    }

    #[test]
    fn unit_f32_is_in_range() {
        assert_eq!(unit_f32(0), 0.0);
        assert!(unit_f32(u32::MAX) < 1.0);
    }
}
