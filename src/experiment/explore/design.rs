//! Designs that place points in parameter space: full factorial and Latin hypercube.

use rand::RngExt;

use crate::engine::rng::{Purpose, StreamKey};

/// The stream purpose of placing design points (agent = parameter); distinct from the model's.
pub const DESIGN: Purpose = Purpose(18);

/// Every combination of levels, as level indices; the first parameter varies slowest.
pub fn factorial(levels: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = levels.iter().product();
    (0..total)
        .map(|mut index| {
            let mut point = vec![0; levels.len()];
            for (slot, &n) in point.iter_mut().zip(levels).rev() {
                *slot = index % n;
                index /= n;
            }
            point
        })
        .collect()
}

/// A Latin hypercube of `points` points in [0, 1]^`factors`: each factor's range is cut into
/// `points` equal strata and every stratum holds exactly one point, at a uniform place in it.
pub fn latin_hypercube(points: usize, factors: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut columns = Vec::with_capacity(factors);
    for factor in 0..factors {
        let key = StreamKey { seed, replicate: 0, day: 0, agent: factor as u32, purpose: DESIGN };
        let mut rng = key.rng();
        let mut strata: Vec<usize> = (0..points).collect();
        for i in (1..points).rev() {
            strata.swap(i, rng.random_range(0..=i));
        }
        let column: Vec<f64> = strata.iter().map(|&s| (s as f64 + rng.random::<f64>()) / points as f64).collect();
        columns.push(column);
    }
    (0..points).map(|i| columns.iter().map(|c| c[i]).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_design_stream_is_none_of_the_model_s() {
        assert!(!crate::model::mechanisms::all_purposes().contains(&DESIGN));
    }

    #[test]
    fn factorial_has_every_combination_once() {
        let points = factorial(&[3, 2, 4]);
        assert_eq!(points.len(), 24);
        assert_eq!(points[0], [0, 0, 0]);
        assert_eq!(points[1], [0, 0, 1]);
        assert_eq!(points[23], [2, 1, 3]);
        let mut unique = points.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 24);
    }

    #[test]
    fn latin_hypercube_puts_one_point_in_every_stratum() {
        let (n, k) = (50, 4);
        let points = latin_hypercube(n, k, 7);
        assert_eq!(points.len(), n);
        for factor in 0..k {
            let mut strata: Vec<usize> = points.iter().map(|p| (p[factor] * n as f64) as usize).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "factor {factor}");
        }
    }

    #[test]
    fn latin_hypercube_is_reproducible_and_seeded() {
        assert_eq!(latin_hypercube(10, 3, 1), latin_hypercube(10, 3, 1));
        assert_ne!(latin_hypercube(10, 3, 1), latin_hypercube(10, 3, 2));
        // Factors are not copies of each other.
        let points = latin_hypercube(20, 2, 1);
        assert!(points.iter().any(|p| (p[0] * 20.0) as usize != (p[1] * 20.0) as usize));
    }
}
