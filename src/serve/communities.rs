//! The communities the workbench offers: the three shipped scenarios with their shipped
//! calibrations, and any scenario files given to `linli serve`.

use std::sync::Arc;

use serde_json::{Value, json};

use super::runs::PosteriorDraws;
use crate::experiment::posterior::{Draws, Misfit};
use crate::scenario::Scenario;

/// A community: its id, scenario file and, where one was shipped, its calibration.
pub struct Community {
    pub id: String,
    pub toml: String,
    /// The file's scenario, read once when the workbench starts.
    pub scenario: Scenario,
    pub calibration: Option<Calibration>,
}

/// A shipped calibration: its posterior draws and its verdict.
pub struct Calibration {
    pub draws: Arc<PosteriorDraws>,
    pub verdict: String,
    /// The calibration judged its model misspecified: the workbench does not run under it.
    pub misspecified: bool,
}

/// The shipped communities (the default first), each with its shipped calibration.
pub fn shipped() -> Vec<Community> {
    let community = |id: &str, toml: &str, posterior: &str, calibration: &str| Community {
        id: id.to_string(),
        toml: toml.to_string(),
        scenario: crate::experiment::parse(toml, std::path::Path::new(id))
            .unwrap_or_else(|e| panic!("the shipped community {id} does not read: {e}"))
            .scenario,
        calibration: Some(calibration_of(id, posterior, calibration)),
    };
    vec![
        community(
            "wanke-chenghua",
            crate::scenario::DEFAULT_SCENARIO_TOML,
            include_str!("../../outputs/examples/wanke-chenghua-calibration/posterior.csv"),
            include_str!("../../outputs/examples/wanke-chenghua-calibration/calibration.json"),
        ),
        community(
            "jiahong-road",
            include_str!("../../scenarios/jiahong-road.toml"),
            include_str!("../../outputs/examples/jiahong-road-calibration/posterior.csv"),
            include_str!("../../outputs/examples/jiahong-road-calibration/calibration.json"),
        ),
        community(
            "chenhui",
            include_str!("../../scenarios/chenhui.toml"),
            include_str!("../../outputs/examples/chenhui-calibration/posterior.csv"),
            include_str!("../../outputs/examples/chenhui-calibration/calibration.json"),
        ),
    ]
}

/// A shipped calibration from its `posterior.csv` and `calibration.json` (a test checks both read).
fn calibration_of(id: &str, posterior: &str, calibration: &str) -> Calibration {
    let draws = Draws::parse(posterior).unwrap_or_else(|p| panic!("{id}'s shipped posterior.csv: {}", p.key));
    let json: Value = serde_json::from_str(calibration).unwrap_or_default();
    Calibration {
        draws: Arc::new(PosteriorDraws {
            file: format!("{id}-calibration/posterior.csv"),
            csv: posterior.into(),
            draws,
        }),
        verdict: json["verdict"].as_str().unwrap_or_default().to_string(),
        misspecified: json["misspecified"].as_bool().unwrap_or(true),
    }
}

impl Community {
    /// A scenario file given on the command line (already read and checked), as a community
    /// with no calibration.
    pub fn from_file(id: String, toml: String, scenario: Scenario) -> Community {
        Community { id, toml, scenario, calibration: None }
    }

    /// What the page lists: name, description, residents and the calibration's verdict.
    pub fn summary(&self) -> Value {
        let calibration = self.calibration.as_ref().map(
            |c| json!({ "verdict": c.verdict, "misspecified": c.misspecified, "draws": c.draws.draws.rows.len() }),
        );
        json!({
            "id": self.id,
            "name": self.scenario.scenario.name,
            "description": self.scenario.scenario.description,
            "residents": self.scenario.community.residents,
            "calibration": calibration,
        })
    }
}

/// Why the posterior cannot run the arms, in words.
pub fn misfit_message(misfit: &Misfit) -> String {
    match misfit {
        Misfit::SetsDrawnKey { arm, path } => format!(
            "design «{arm}» sets {path}, which the calibration fits: under its uncertainty the design would lose \
             its own setting; compare without the calibration, or change other levers"
        ),
        Misfit::Invalid { draw, arm, problem } => format!(
            "posterior draw {draw} does not fit design «{arm}»: {}: expected {}, found {}",
            problem.key, problem.expected, problem.found
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_community_and_calibration_reads() {
        let all = shipped();
        assert_eq!(all[0].id, "wanke-chenghua", "the default comes first");
        for c in &all {
            let calibration = c.calibration.as_ref().unwrap();
            assert!(!calibration.verdict.is_empty() && calibration.draws.draws.rows.len() >= 100, "{}", c.id);
        }
        let misspecified: Vec<&str> =
            all.iter().filter(|c| c.calibration.as_ref().unwrap().misspecified).map(|c| c.id.as_str()).collect();
        assert_eq!(misspecified, ["chenhui"], "as docs/CALIBRATION.md reports");
    }
}
