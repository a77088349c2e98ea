//! Exploring parameter space: a sweep or a sensitivity analysis as a list of design points,
//! each point a scenario run over the same replicates (common random numbers).

pub mod analyse;
pub mod design;
pub mod history;
pub mod sensitivity;

use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;
use toml::Value;

use super::arms::{apply_overrides, base_value};
use super::compare::Outcome;
use super::plan::Plan;
use super::posterior::Draws;
use super::study::{self, Method, Parameter, SweepDesign, Values};
use crate::engine::parallel::Split;
use crate::engine::rng::mix64;
use crate::scenario::Scenario;
use crate::scenario::validate::Problem;
use crate::simulate::simulate_replicates_split;
use sensitivity::{MorrisDesign, SaltelliDesign, morris_design};

/// Which study a folder holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Sweep,
    Sensitivity,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sweep => "sweep",
            Kind::Sensitivity => "sensitivity",
        }
    }
}

/// One design point: its parameter values, in the order of the study's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub index: usize,
    /// The sensitivity method the point belongs to (none in a sweep).
    pub method: Option<Method>,
    pub values: Vec<Value>,
}

/// A study: the file it comes from, its parameters and every design point.
#[derive(Clone, Debug)]
pub struct Study {
    pub kind: Kind,
    pub plan: Plan,
    pub parameters: Vec<Parameter>,
    pub points: Vec<Point>,
    pub window_days: usize,
    pub morris: Option<MorrisDesign>,
    pub saltelli: Option<SaltelliDesign>,
    /// Posterior draws from a calibration (`sweep --posterior`): replicate r of every point
    /// runs under draw r.
    pub posterior: Option<Draws>,
    /// The scenario alone, serialised: what each point overrides.
    base: Value,
}

impl Study {
    /// The study of `kind` that `plan` declares.
    pub fn of(kind: Kind, plan: &Plan) -> Result<Study, Problem> {
        match kind {
            Kind::Sweep => Study::sweep(plan),
            Kind::Sensitivity => Study::sensitivity(plan),
        }
    }

    /// The `[sweep]` of `plan` as a study.
    pub fn sweep(plan: &Plan) -> Result<Study, Problem> {
        let spec = plan.sweep.as_ref().ok_or_else(|| missing_section("sweep"))?;
        let scenario = &plan.scenario;
        let lhs = spec.design == SweepDesign::LatinHypercube;
        let parameters = study::parameters(scenario, "sweep", &spec.parameters, !lhs, &[])?;
        let values: Vec<Vec<Value>> = if lhs {
            let n = spec.points.unwrap_or(2) as usize;
            design::latin_hypercube(n, parameters.len(), scenario.scenario.seed)
                .into_iter()
                .map(|unit| parameters.iter().zip(unit).map(|(p, u)| p.at(u)).collect())
                .collect()
        } else {
            let lists: Vec<&Vec<Value>> = parameters.iter().map(listed).collect();
            let levels: Vec<usize> = lists.iter().map(|l| l.len()).collect();
            design::factorial(&levels)
                .into_iter()
                .map(|level| lists.iter().zip(level).map(|(list, i)| list[i].clone()).collect())
                .collect()
        };
        let points = values.into_iter().enumerate().map(|(index, values)| Point { index, method: None, values });
        Ok(Study::new(Kind::Sweep, plan, parameters, points.collect(), spec.window_days, None, None))
    }

    /// The `[sensitivity]` of `plan` as a study: Morris points first, then Saltelli's.
    pub fn sensitivity(plan: &Plan) -> Result<Study, Problem> {
        let spec = plan.sensitivity.as_ref().ok_or_else(|| missing_section("sensitivity"))?;
        let scenario = &plan.scenario;
        let parameters = study::parameters(scenario, "sensitivity", &spec.parameters, false, &[])?;
        let k = parameters.len();
        let seed = scenario.scenario.seed;
        let morris = spec
            .methods
            .contains(&Method::Morris)
            .then(|| morris_design(k, spec.trajectories as usize, spec.levels, mix64(seed ^ 0x4d4f_5252)));
        let saltelli = spec.methods.contains(&Method::Sobol).then(|| SaltelliDesign {
            factors: k,
            samples: spec.samples as usize,
            seed: mix64(seed ^ 0x534f_424c),
        });
        let mut points = Vec::new();
        let mut add = |method, unit_points: Vec<Vec<f64>>| {
            for unit in unit_points {
                let values = parameters.iter().zip(unit).map(|(p, u)| p.at(u)).collect();
                points.push(Point { index: points.len(), method: Some(method), values });
            }
        };
        if let Some(design) = &morris {
            add(Method::Morris, design.points());
        }
        if let Some(design) = &saltelli {
            add(Method::Sobol, design.points());
        }
        Ok(Study::new(Kind::Sensitivity, plan, parameters, points, spec.window_days, morris, saltelli))
    }

    fn new(
        kind: Kind,
        plan: &Plan,
        parameters: Vec<Parameter>,
        points: Vec<Point>,
        window_days: u32,
        morris: Option<MorrisDesign>,
        saltelli: Option<SaltelliDesign>,
    ) -> Study {
        let base = base_value(&plan.scenario);
        Study {
            kind,
            plan: plan.clone(),
            parameters,
            points,
            window_days: window_days as usize,
            morris,
            saltelli,
            posterior: None,
            base,
        }
    }

    /// The study with every replicate under a posterior draw. Refused when a parameter of the
    /// study is one the draws set (the draw would overwrite the point's value), or when a draw
    /// does not make a valid scenario; the error names the key and the draw's line.
    pub fn under_posterior(mut self, draws: Draws) -> Result<Study, String> {
        if let Some(p) = self.parameters.iter().find(|p| draws.paths.contains(&p.path)) {
            return Err(format!(
                "the {} varies {}, which the posterior draws also set: a draw would overwrite the point's value. \
                 Vary keys the calibration did not fit",
                self.kind.name(),
                p.path
            ));
        }
        for (row, line) in draws.rows.iter().zip(&draws.lines) {
            draws.apply(&self.plan.scenario, row).map_err(|p| {
                format!(
                    "line {line}: the draw does not make a valid scenario: {}: expected {}, found {}",
                    p.key, p.expected, p.found
                )
            })?;
        }
        self.posterior = Some(draws);
        Ok(self)
    }

    /// The complete scenario of a point.
    pub fn point_scenario(&self, index: usize) -> Result<Scenario, Problem> {
        let overrides: Vec<(String, Value)> =
            self.parameters.iter().map(|p| p.path.clone()).zip(self.points[index].values.iter().cloned()).collect();
        apply_overrides(&self.base, &overrides)
    }

    /// The first point whose scenario is not valid (combinations the per-parameter checks miss).
    pub fn first_invalid_point(&self) -> Option<(usize, Problem)> {
        (0..self.points.len()).find_map(|i| self.point_scenario(i).err().map(|p| (i, p)))
    }

    /// The replicate numbers every point runs.
    pub fn replicates(&self) -> Vec<u32> {
        (0..self.plan.scenario.scenario.replicates).collect()
    }

    /// Runs one point: for each replicate, every outcome in [`Outcome::all`] order.
    /// Under a posterior, each replicate runs alone under its draw; an error says which
    /// combination of point and draw is not a valid scenario.
    pub fn run_point(&self, index: usize, on_day: &(dyn Fn() + Sync)) -> Result<Vec<Vec<f64>>, Problem> {
        let scenario = self.point_scenario(index)?;
        let replicates = self.replicates();
        // Points run in parallel too: split a replicate's days only when runs are fewer than threads.
        let split = Split::for_replicates(self.points.len() * replicates.len());
        let outcomes = Outcome::all();
        let rows = |scenario: &Scenario, replicates: &[u32]| {
            let output = simulate_replicates_split(scenario, replicates, split, on_day);
            (0..output.replicates.len())
                .map(|k| outcomes.iter().map(|o| o.value(&output, k, self.window_days)).collect::<Vec<f64>>())
                .collect::<Vec<_>>()
        };
        let Some(draws) = &self.posterior else { return Ok(rows(&scenario, &replicates)) };
        // Each replicate has its own scenario: they run in parallel, in replicate order.
        let per_replicate: Vec<Vec<Vec<f64>>> = replicates
            .par_iter()
            .map(|&r| Ok(rows(&draws.apply(&scenario, draws.for_replicate(r))?, &[r])))
            .collect::<Result<_, Problem>>()?;
        Ok(per_replicate.into_iter().flatten().collect())
    }

    /// Simulated days of one point (every replicate, burn-in included).
    pub fn days_per_point(&self) -> u64 {
        crate::simulate::days_per_replicate(&self.plan.scenario) * u64::from(self.plan.scenario.scenario.replicates)
    }
}

fn listed(parameter: &Parameter) -> &Vec<Value> {
    match &parameter.values {
        Values::List(list) => list,
        Values::Range { .. } => unreachable!("a factorial's parameters are lists"),
    }
}

fn missing_section(section: &str) -> Problem {
    let mut problem = Problem::new(
        crate::scenario::ErrorKind::MissingKey,
        section,
        format!("a [{section}] section with parameters"),
        "no such section",
    );
    problem.help = Some("docs/SWEEPS.md shows how to declare one".to_string());
    problem
}

/// A slice of a design's points: shard `index` of `count` (1-based) holds the points whose
/// number leaves remainder `index - 1` when divided by `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    pub fn holds(self, point: usize) -> bool {
        point % self.count as usize == (self.index - 1) as usize
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (e.g. 2/8), found `{text}`");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}
