//! Counter-based random streams keyed by (seed, replicate, day, agent, purpose).
//!
//! Every random draw in linli comes from a generator built by [`StreamKey::rng`], or, where
//! every agent draws every day, from [`DayStreams::draw`] by slot. The key fully determines
//! the stream, so results do not depend on thread count or scheduling, and a
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

/// The draws of one (seed, replicate, day, purpose) for every agent, with the part of the key
/// that does not depend on the agent mixed once: each agent's draws by slot
/// ([`DayStreams::draw`]), and the digest behind `StreamKey::rng`.
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

    /// Draw number `slot` of `agent` on this day, computed directly from its coordinates: the
    /// SplitMix64 sequence (Steele, Lea and Flood 2014) of this day's key at position
    /// (agent, slot). One mix per draw and no generator state, so a pass that needs two of a
    /// resident's draws pays for two, the draws of different residents do not wait on each
    /// other, and each decision keeps its own slot (common random numbers) whether or not the
    /// others are drawn.
    #[inline]
    pub fn draw(&self, agent: u32, slot: u32) -> u64 {
        let position = (agent as u64) << 32 | slot as u64;
        mix64(self.prefix.wrapping_add(position.wrapping_mul(GAMMA)))
    }
}

/// SplitMix64's increment: the odd number nearest 2^64 / golden ratio.
const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

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
    fn direct_draws_look_uniform_and_independent_across_slots_and_agents() {
        let day = DayStreams::new(7, 0, 0, Purpose(3));
        let n = 20_000u32;
        let u = |agent, slot| unit_f32((day.draw(agent, slot) >> 32) as u32) as f64;
        let mean: f64 = (0..n).map(|a| u(a, 0)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
        // Correlation (12 x covariance of uniforms) of neighbouring slots of one agent, and of
        // one slot of neighbouring agents: about 0, within 4 standard errors (1 / sqrt(n)).
        let correlation = |pair: &dyn Fn(u32) -> (f64, f64)| {
            (0..n).map(pair).map(|(x, y)| (x - 0.5) * (y - 0.5)).sum::<f64>() / n as f64 * 12.0
        };
        assert!(correlation(&|a| (u(a, 0), u(a, 1))).abs() < 0.03);
        assert!(correlation(&|a| (u(a, 2), u(a + 1, 2))).abs() < 0.03);
    }

    #[test]
    fn a_direct_draw_depends_on_every_coordinate() {
        let day = DayStreams::new(7, 2, 30, Purpose(3));
        let first = day.draw(4, 1);
        for other in [
            DayStreams::new(8, 2, 30, Purpose(3)).draw(4, 1),
            DayStreams::new(7, 3, 30, Purpose(3)).draw(4, 1),
            DayStreams::new(7, 2, 31, Purpose(3)).draw(4, 1),
            DayStreams::new(7, 2, 30, Purpose(4)).draw(4, 1),
            day.draw(5, 1),
            day.draw(4, 2),
        ] {
            assert_ne!(other, first);
        }
    }

    #[test]
    fn unit_f32_is_in_range() {
        assert_eq!(unit_f32(0), 0.0);
        assert!(unit_f32(u32::MAX) < 1.0);
    }
}
