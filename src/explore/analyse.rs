//! Turning per-point outcomes into results: sweep point means and sensitivity indices.

use serde::Serialize;

use super::Study;
use super::sensitivity::{MorrisIndex, SobolIndex, morris_indices, sobol_indices};
use crate::engine::rng::mix64;

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
    let seed = mix64(study.scenario.scenario.seed ^ 0x424f_4f54);
    let mut result = Indices::default();
    let morris_points = study.morris.as_ref().map_or(0, |d| d.points().len());
    for (outcome, means) in outcomes.iter().zip(point_means) {
        if let Some(design) = &study.morris {
            let found = morris_indices(design, &means[..morris_points], bootstrap, seed);
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
