//! History matching on the simulator itself (Craig et al. 1997; Vernon, Goldstein and Bower
//! 2010; Andrianakis et al. 2015): each target's implausibility at a design point, the wave's
//! verdict (which points cannot be ruled out, which targets cannot be met together), and the
//! next wave's design inside what remains.

use super::design::latin_hypercube;

/// What is known of one target at one design point: the replicates' values and the target.
#[derive(Clone, Copy, Debug)]
pub struct Match {
    /// Mean of the replicates' values.
    pub mean: f64,
    /// Sample variance of the replicates' values (0 with one replicate).
    pub variance: f64,
    /// Number of replicates with a value.
    pub replicates: usize,
    pub observed: f64,
    /// Standard deviation of the observation error.
    pub observation_sd: f64,
    /// Standard deviation of the model discrepancy (what no parameter set can fix).
    pub discrepancy_sd: f64,
}

/// How the simulator's own randomness enters the implausibility.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stochasticity {
    /// The observation is one realisation, like one replicate: the replicates' variance itself.
    OneRealisation,
    /// Only the uncertainty of the replicates' mean: variance / replicates.
    MeanOnly,
}

/// The implausibility I = |mean − observed| / sqrt(V_sim + V_obs + V_disc), where V_sim is the
/// replicates' variance or the variance of their mean (`stochasticity`). Infinite for a
/// point with no replicate value and wherever a number is not finite (nothing is met by
/// accident of a NaN); a target with no variance at all is met only exactly.
pub fn implausibility(m: &Match, stochasticity: Stochasticity) -> f64 {
    let numbers = [m.mean, m.variance, m.observed, m.observation_sd, m.discrepancy_sd];
    if m.replicates == 0 || numbers.iter().any(|x| !x.is_finite()) {
        return f64::INFINITY;
    }
    let simulated = match stochasticity {
        Stochasticity::OneRealisation => m.variance,
        Stochasticity::MeanOnly => m.variance / m.replicates as f64,
    };
    let total = simulated + m.observation_sd.powi(2) + m.discrepancy_sd.powi(2);
    let distance = (m.mean - m.observed).abs();
    if total > 0.0 {
        distance / total.sqrt()
    } else if distance == 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// What one wave found, from the implausibility of every target at every point. A point is
/// ruled out when a target's implausibility exceeds the cutoff (I > c, as in Vernon et al.
/// 2010); a NaN counts as infinite.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// Per point: no target's implausibility exceeds the cutoff.
    pub not_ruled_out: Vec<bool>,
    /// Per target: some point meets it (its implausibility alone is at most the cutoff).
    pub met_alone: Vec<bool>,
    /// Pairs of targets each met at some point but never at the same point: the model cannot
    /// meet them together in the region tried.
    pub conflicts: Vec<(usize, usize)>,
    /// The point whose largest implausibility is smallest, and that largest implausibility.
    pub closest: Option<(usize, f64)>,
}

impl Verdict {
    /// The verdict on `implausibility[point][target]` at `cutoff`.
    pub fn of(implausibility: &[Vec<f64>], cutoff: f64) -> Verdict {
        let targets = implausibility.first().map_or(0, Vec::len);
        let meets = |point: &[f64], t: usize| point[t] <= cutoff;
        let not_ruled_out: Vec<bool> = implausibility.iter().map(|p| (0..targets).all(|t| meets(p, t))).collect();
        let met_alone: Vec<bool> = (0..targets).map(|t| implausibility.iter().any(|p| meets(p, t))).collect();
        let mut conflicts = Vec::new();
        for a in 0..targets {
            for b in a + 1..targets {
                let together = implausibility.iter().any(|p| meets(p, a) && meets(p, b));
                if met_alone[a] && met_alone[b] && !together {
                    conflicts.push((a, b));
                }
            }
        }
        let largest = |p: &Vec<f64>| p.iter().map(|&x| if x.is_nan() { f64::INFINITY } else { x }).fold(0.0, f64::max);
        let closest = implausibility.iter().map(largest).enumerate().min_by(|(_, x), (_, y)| x.total_cmp(y));
        Verdict { not_ruled_out, met_alone, conflicts, closest }
    }

    /// Whether some point was not ruled out (otherwise the model, with the stated discrepancy,
    /// cannot meet the targets together anywhere it was tried).
    pub fn any_left(&self) -> bool {
        self.not_ruled_out.iter().any(|&left| left)
    }
}

/// The next wave's `points` design points (in the unit cube of the parameters' ranges) inside
/// what the last wave left: the box around its points not ruled out, widened by half of one
/// over the number of points (half a stratum of a first wave's Latin hypercube), and of a Latin hypercube ten times larger drawn in that box, the candidates whose
/// nearest point of the last wave was not ruled out, in the order drawn. Fewer than `points`
/// when the region is small; empty when nothing is left.
pub fn next_design(previous: &[Vec<f64>], not_ruled_out: &[bool], points: usize, seed: u64) -> Vec<Vec<f64>> {
    assert_eq!(previous.len(), not_ruled_out.len(), "a verdict for every point of the last wave");
    let kept: Vec<&Vec<f64>> = previous.iter().zip(not_ruled_out).filter(|(_, k)| **k).map(|(p, _)| p).collect();
    let Some(first) = kept.first() else {
        return Vec::new();
    };
    let factors = first.len();
    let widen = 0.5 / previous.len() as f64;
    let (low, high): (Vec<f64>, Vec<f64>) = (0..factors)
        .map(|f| {
            let values = kept.iter().map(|p| p[f]);
            let low = values.clone().fold(f64::INFINITY, f64::min);
            let high = values.fold(f64::NEG_INFINITY, f64::max);
            ((low - widen).max(0.0), (high + widen).min(1.0))
        })
        .unzip();
    latin_hypercube(10 * points, factors, seed)
        .into_iter()
        .map(|u| u.iter().enumerate().map(|(f, &x)| low[f] + x * (high[f] - low[f])).collect::<Vec<f64>>())
        .filter(|candidate| nearest_is_kept(previous, not_ruled_out, candidate))
        .take(points)
        .collect()
}

/// Whether the point of `points` nearest to `candidate` (Euclidean, on the unit cube) was kept.
pub fn nearest_is_kept(points: &[Vec<f64>], kept: &[bool], candidate: &[f64]) -> bool {
    let distance = |p: &Vec<f64>| p.iter().zip(candidate).map(|(a, b)| (a - b).powi(2)).sum::<f64>();
    let nearest = points.iter().enumerate().min_by(|(_, a), (_, b)| distance(a).total_cmp(&distance(b)));
    nearest.is_some_and(|(i, _)| kept[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(mean: f64, variance: f64, observed: f64) -> Match {
        Match { mean, variance, replicates: 4, observed, observation_sd: 1.0, discrepancy_sd: 0.0 }
    }

    #[test]
    fn implausibility_is_the_distance_in_standard_deviations() {
        let m = Match {
            mean: 13.0,
            variance: 8.0,
            replicates: 2,
            observed: 10.0,
            observation_sd: 2.0,
            discrepancy_sd: 1.0,
        };
        for broken in [
            Match { observed: f64::NAN, ..m },
            Match { observation_sd: f64::NAN, ..m },
            Match { mean: f64::INFINITY, ..m },
        ] {
            assert_eq!(implausibility(&broken, Stochasticity::MeanOnly), f64::INFINITY, "{broken:?}");
        }
        // 3 / sqrt(8 + 4 + 1) and 3 / sqrt(8 / 2 + 4 + 1).
        assert!((implausibility(&m, Stochasticity::OneRealisation) - 3.0 / 13f64.sqrt()).abs() < 1e-12);
        assert!((implausibility(&m, Stochasticity::MeanOnly) - 1.0).abs() < 1e-12);
        let none = Match { replicates: 0, ..m };
        assert_eq!(implausibility(&none, Stochasticity::MeanOnly), f64::INFINITY);
        let exact = Match { variance: 0.0, observation_sd: 0.0, discrepancy_sd: 0.0, ..m };
        assert_eq!(implausibility(&exact, Stochasticity::MeanOnly), f64::INFINITY);
        assert_eq!(implausibility(&Match { mean: 10.0, ..exact }, Stochasticity::MeanOnly), 0.0);
    }

    /// Two targets on the same output f(x) = 10x at points x = 0, 0.1, ..., 1, observed at
    /// `a` and `b`.
    fn two_targets_on_one_output(a: f64, b: f64) -> Vec<Vec<f64>> {
        (0..=10)
            .map(|k| {
                let y = k as f64;
                [a, b].map(|observed| implausibility(&target(y, 0.0, observed), Stochasticity::MeanOnly)).to_vec()
            })
            .collect()
    }

    #[test]
    fn targets_that_no_point_meets_together_are_named() {
        // Observed at 1.5 and 8.5 with an error of 1: each is met alone, never both.
        let verdict = Verdict::of(&two_targets_on_one_output(1.5, 8.5), 3.0);
        assert!(!verdict.any_left());
        assert_eq!(verdict.met_alone, [true, true]);
        assert_eq!(verdict.conflicts, [(0, 1)]);
        assert_eq!(verdict.closest.map(|(p, _)| p), Some(5), "midway is closest to both");
    }

    #[test]
    fn targets_that_can_be_met_together_leave_their_region() {
        let verdict = Verdict::of(&two_targets_on_one_output(4.0, 6.0), 3.0);
        assert!(verdict.conflicts.is_empty());
        // |y - 4| <= 3 and |y - 6| <= 3: y in 3..=7 (a point at the cutoff is kept).
        let left: Vec<usize> = (0..=10).filter(|&k| verdict.not_ruled_out[k]).collect();
        assert_eq!(left, [3, 4, 5, 6, 7]);
    }

    #[test]
    fn a_target_met_nowhere_is_not_a_conflict_but_is_reported() {
        let verdict = Verdict::of(&two_targets_on_one_output(5.0, 50.0), 3.0);
        assert_eq!(verdict.met_alone, [true, false]);
        assert!(verdict.conflicts.is_empty() && !verdict.any_left());
    }

    #[test]
    fn a_point_with_nan_is_never_the_closest() {
        let verdict = Verdict::of(&[vec![f64::NAN, f64::NAN], vec![5.0, 1.0]], 3.0);
        assert_eq!(verdict.closest, Some((1, 5.0)));
        assert!(!verdict.any_left());
    }

    #[test]
    fn the_next_wave_avoids_the_gap_between_two_regions_left() {
        let previous: Vec<Vec<f64>> = latin_hypercube(50, 1, 3);
        // Two regions left, near 0.1 and near 0.9: the box spans both, the gap is not drawn.
        let left: Vec<bool> = previous.iter().map(|p| (p[0] - 0.1).abs() < 0.08 || (p[0] - 0.9).abs() < 0.08).collect();
        let next = next_design(&previous, &left, 30, 4);
        assert!(!next.is_empty());
        for point in &next {
            assert!((point[0] - 0.1).abs() < 0.1 || (point[0] - 0.9).abs() < 0.1, "{point:?} is in the gap");
        }
    }

    #[test]
    fn the_next_wave_stays_where_points_were_not_ruled_out() {
        let previous: Vec<Vec<f64>> = latin_hypercube(40, 2, 7);
        // Only points with a first coordinate under 0.3 were left.
        let left: Vec<bool> = previous.iter().map(|p| p[0] < 0.3).collect();
        let next = next_design(&previous, &left, 20, 8);
        assert_eq!(next.len(), 20);
        let widen = 0.5 / 40.0;
        let highest_left = previous.iter().filter(|p| p[0] < 0.3).map(|p| p[0]).fold(0.0, f64::max);
        for point in &next {
            assert!(point[0] <= highest_left + widen, "{point:?}");
            assert!(point.iter().all(|x| (0.0..=1.0).contains(x)));
        }
        assert!(next_design(&previous, &[false; 40], 20, 8).is_empty(), "nothing left, nothing drawn");
        assert_eq!(next, next_design(&previous, &left, 20, 8), "the same seed, the same design");
    }
}
