//! Turning per-point outcomes into results: sweep point means and sensitivity indices.

use serde::Serialize;

use super::Study;
use super::sensitivity::{MorrisDesign, MorrisIndex, SobolIndex, morris_indices, sobol_indices};
use crate::engine::rng::mix64;
use crate::experiment::study::{Values, number};

/// One parameter's Morris indices for one outcome.
#[derive(Clone, Debug, Serialize)]
pub struct MorrisRow {
    pub outcome: String,
    pub parameter: String,
    #[serde(flatten)]
    pub index: MorrisIndex,
}

/// One parameter's Sobol indices for one outcome.
#[derive(Clone, Debug, Serialize)]
pub struct SobolRow {
    pub outcome: String,
    pub parameter: String,
    #[serde(flatten)]
    pub index: SobolIndex,
}

/// Every index of a sensitivity study.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Indices {
    pub morris: Vec<MorrisRow>,
    pub sobol: Vec<SobolRow>,
}

/// Indices for each outcome; `point_means[o][p]` is outcome `o` at point `p`, averaged over
/// the replicates.
pub fn indices(study: &Study, outcomes: &[String], point_means: &[Vec<f64>], bootstrap: usize) -> Indices {
    let seed = mix64(study.plan.scenario.scenario.seed ^ 0x424f_4f54);
    let mut result = Indices::default();
    let morris_points = study.morris.as_ref().map_or(0, |d| d.points().len());
    for (outcome, means) in outcomes.iter().zip(point_means) {
        if let Some(design) = &study.morris {
            let found = morris_indices(&realised(study, design), &means[..morris_points], bootstrap, seed);
            result.morris.extend(study.parameters.iter().zip(found).map(|(p, index)| MorrisRow {
                outcome: outcome.clone(),
                parameter: p.path.clone(),
                index,
            }));
        }
        if let Some(design) = &study.saltelli {
            let found = sobol_indices(design, &means[morris_points..], bootstrap, seed);
            result.sobol.extend(study.parameters.iter().zip(found).map(|(p, index)| SobolRow {
                outcome: outcome.clone(),
                parameter: p.path.clone(),
                index,
            }));
        }
    }
    result
}

/// The Morris design with each step as the scenario saw it: whole-number keys are rounded, so
/// a step of delta of the range may have moved the value a little more or less (or not at
/// all, when the effect is then zero whatever the step says).
fn realised(study: &Study, design: &MorrisDesign) -> MorrisDesign {
    let mut design = design.clone();
    let k = design.factors;
    for (t, trajectory) in design.trajectories.iter_mut().enumerate() {
        for (j, (&factor, step)) in trajectory.changed.iter().zip(trajectory.steps.iter_mut()).enumerate() {
            let (before, after) = (&study.points[t * (k + 1) + j], &study.points[t * (k + 1) + j + 1]);
            if let Values::Range { min, max, .. } = study.parameters[factor].values {
                let moved = (number(&after.values[factor]) - number(&before.values[factor])) / (max - min);
                if moved != 0.0 {
                    *step = moved;
                }
            }
        }
    }
    design
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn morris_steps_follow_the_rounded_values_of_whole_number_keys() {
        let text = r#"
[scenario]
version = 1
[sensitivity]
methods = ["morris"]
[sensitivity.parameters]
"policy.transient_seat.seats" = { min = 0, max = 2 }
"behaviour.social_weight" = { min = 1.0, max = 2.0 }
"#;
        let plan = crate::experiment::parse(text, std::path::Path::new("t.toml")).unwrap();
        let study = Study::sensitivity(&plan).unwrap();
        let nominal = study.morris.as_ref().unwrap();
        let design = realised(&study, nominal);
        let mut rounded = 0;
        for (t, trajectory) in design.trajectories.iter().enumerate() {
            for (j, (&factor, &step)) in trajectory.changed.iter().zip(&trajectory.steps).enumerate() {
                let value = |p: usize| number(&study.points[t * 3 + p].values[factor]);
                let moved = value(j + 1) - value(j);
                let range = if factor == 0 { 2.0 } else { 1.0 };
                assert!((step * range - moved).abs() < 1e-9, "the step is what the value moved");
                rounded += usize::from(step != nominal.trajectories[t].steps[j]);
            }
        }
        assert!(rounded > 0, "seats 0..2 on a 4-level grid cannot all move by exactly 2/3 of the range");
    }
}
