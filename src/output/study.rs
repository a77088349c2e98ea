//! Study folders on disk: a manifest, the scenario, one part file per finished point (written
//! as points finish, so a study can resume and be split into shards), and the final tables.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use toml::Value;

use crate::experiment::compare::Outcome;
use crate::experiment::explore::{Kind, Shard, Study};
use crate::experiment::posterior::Draws;

/// The folder of a study's saved state: manifest, scenario and one part per finished point.
pub const POINTS: &str = "points";
pub const MANIFEST: &str = "points/study.json";
pub const SCENARIO: &str = "points/scenario.toml";
/// The posterior draws a study runs under (`sweep --posterior`), when it does.
pub const POSTERIOR: &str = "points/posterior.csv";

/// What a study folder holds; shards of one study share everything but `shard`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub linli: String,
    pub kind: Kind,
    /// A digest of the kind, the scenario text and any posterior draws: folders merge only when
    /// it matches.
    pub fingerprint: String,
    pub points: usize,
    pub shard: Shard,
}

impl Manifest {
    pub fn new(study: &Study, scenario_text: &str, shard: Shard) -> Manifest {
        let draws = study.posterior.as_ref().map(|d| d.to_csv()).unwrap_or_default();
        Manifest {
            linli: crate::VERSION.to_string(),
            kind: study.kind,
            fingerprint: fingerprint(study.kind, &(scenario_text.to_string() + &draws)),
            points: study.points.len(),
            shard,
        }
    }

    fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = fs::read_to_string(&path)
            .with_context(|| format!("{} is not a study folder: cannot read {}", dir.display(), path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is not a linli study manifest", path.display()))
    }
}

/// FNV-1a over linli's version, the kind and the scenario text, as 16 hex digits: another
/// build may simulate differently, so its points never mix with these.
fn fingerprint(kind: Kind, text: &str) -> String {
    fingerprint_of(kind.name(), text)
}

/// [`fingerprint`] of any kind of saved work named `kind` (a study, a calibration).
pub(crate) fn fingerprint_of(kind: &str, text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = crate::VERSION.bytes().chain([0]).chain(kind.bytes()).chain([0]).chain(text.bytes());
    for byte in bytes {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The scenario of a study as the text stored beside its points.
pub fn scenario_text(study: &Study) -> anyhow::Result<String> {
    toml::to_string(&study.plan).context("cannot serialise the scenario")
}

/// What to do with a folder that already holds points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse: the user must choose.
    Refuse,
    /// Keep finished points and run the rest.
    Resume,
    /// Discard finished points.
    Restart,
}

/// An open study folder.
pub struct StudyDir {
    pub path: PathBuf,
}

impl StudyDir {
    /// Opens `path` for `study` (creating it), checking any points already there belong to the
    /// same study and shard.
    pub fn prepare(path: &Path, study: &Study, shard: Shard, existing: Existing) -> anyhow::Result<StudyDir> {
        let text = scenario_text(study)?;
        let manifest = Manifest::new(study, &text, shard);
        let dir = StudyDir { path: path.to_path_buf() };
        if path.join(MANIFEST).exists() {
            dir.check_existing(&manifest, existing)?;
        }
        fs::create_dir_all(path.join(POINTS)).with_context(|| format!("cannot create {}", path.display()))?;
        remove_leftovers(path, existing == Existing::Restart)?;
        write_atomic(&path.join(SCENARIO), text.as_bytes())?;
        match &study.posterior {
            Some(draws) => write_atomic(&path.join(POSTERIOR), draws.to_csv().as_bytes())?,
            None if path.join(POSTERIOR).exists() => fs::remove_file(path.join(POSTERIOR))?,
            None => {}
        }
        write_atomic(&path.join(MANIFEST), serde_json::to_string_pretty(&manifest)?.as_bytes())?;
        Ok(dir)
    }

    fn check_existing(&self, manifest: &Manifest, existing: Existing) -> anyhow::Result<()> {
        let found = Manifest::read(&self.path)?;
        let path = self.path.display();
        match existing {
            Existing::Restart => {
                let points = self.path.join(POINTS);
                if points.exists() {
                    fs::remove_dir_all(&points).with_context(|| format!("cannot clear {}", points.display()))?;
                }
                Ok(())
            }
            Existing::Refuse => bail!(
                "{path} already holds a {} ({} of its points finished): pass --resume to run only the \
                 missing points, or --restart to discard them",
                found.kind.name(),
                self.finished()?.len()
            ),
            Existing::Resume if found.fingerprint != manifest.fingerprint || found.kind != manifest.kind => bail!(
                "{path} holds a different {} (its scenario, design, replicates or posterior draws differ): \
                 --resume continues only the same study; use another --out or --restart",
                found.kind.name()
            ),
            Existing::Resume if found.shard != manifest.shard => {
                bail!("{path} holds shard {} of this study, not {}", found.shard, manifest.shard)
            }
            Existing::Resume => Ok(()),
        }
    }

    /// The points whose part file is complete.
    pub fn finished(&self) -> anyhow::Result<BTreeSet<usize>> {
        finished_points(&self.path)
    }

    /// Writes a finished point's rows (atomically, so an interruption leaves no partial part).
    pub fn write_part(&self, study: &Study, index: usize, rows: &[Vec<f64>]) -> anyhow::Result<()> {
        write_atomic(&part_path(&self.path, index), &part_csv(study, index, rows)?)
    }
}

/// Removes half-written parts of an interrupted run and, on a restart, the old results (a plot
/// of an outcome no longer chosen would otherwise stay behind).
fn remove_leftovers(dir: &Path, results_too: bool) -> anyhow::Result<()> {
    remove_matching(&dir.join(POINTS), |name| name.contains(".tmp-"))?;
    super::staging::remove_stale_staging(dir)?;
    if results_too {
        remove_matching(dir, |name| {
            let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            ["sweep", "points", "runs", "morris", "sobol", "sensitivity"].contains(&stem)
                || stem.starts_with("sweep-")
                || stem.starts_with("sensitivity-")
        })?;
    }
    Ok(())
}

fn remove_matching(folder: &Path, matches: impl Fn(&str) -> bool) -> anyhow::Result<()> {
    for entry in fs::read_dir(folder).with_context(|| format!("cannot read {}", folder.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() && matches(&entry.file_name().to_string_lossy()) {
            fs::remove_file(entry.path()).with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn part_path(dir: &Path, index: usize) -> PathBuf {
    dir.join(POINTS).join(format!("{index:08}.csv"))
}

fn finished_points(dir: &Path) -> anyhow::Result<BTreeSet<usize>> {
    let points = dir.join(POINTS);
    let mut done = BTreeSet::new();
    let entries = fs::read_dir(&points).with_context(|| format!("cannot read {}", points.display()))?;
    for entry in entries {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        if let Some(index) = name.strip_suffix(".csv").and_then(|stem| stem.parse().ok()) {
            done.insert(index);
        }
    }
    Ok(done)
}

/// Writes `bytes` to a temporary name beside `path`, then renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = fs::File::create(&temporary).with_context(|| format!("cannot write {}", temporary.display()))?;
    file.write_all(bytes).with_context(|| format!("cannot write {}", temporary.display()))?;
    drop(file);
    fs::rename(&temporary, path).with_context(|| format!("cannot move {} into place", path.display()))
}

/// The columns of every row: point, replicate, the method (sensitivity only), one per
/// parameter, one per outcome.
pub fn columns(study: &Study) -> Vec<String> {
    let mut columns = vec!["point".to_string(), "replicate".to_string()];
    if study.kind == Kind::Sensitivity {
        columns.push("method".into());
    }
    columns.extend(study.parameters.iter().map(|p| p.path.clone()));
    columns.extend(Outcome::names());
    columns
}

/// The leading fields of a point's rows: point, (method), parameter values.
pub(super) fn point_fields(study: &Study, index: usize) -> Vec<String> {
    let point = &study.points[index];
    let mut fields = vec![index.to_string()];
    if let Some(method) = point.method {
        fields.push(method.name().to_string());
    }
    fields.extend(point.values.iter().map(value_text));
    fields
}

fn part_csv(study: &Study, index: usize, rows: &[Vec<f64>]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let fields = point_fields(study, index);
    for (replicate, outcomes) in rows.iter().enumerate() {
        let mut record = vec![fields[0].clone(), replicate.to_string()];
        record.extend(fields[1..].iter().cloned());
        record.extend(outcomes.iter().map(|x| x.to_string()));
        writer.write_record(&record)?;
    }
    Ok(writer.into_inner()?)
}

/// A parameter value as a CSV field.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Float(f) => f.to_string(),
        other => other.to_string(),
    }
}

/// Folders holding one study between them (a whole run, or its shards), checked and opened.
pub struct Gathered {
    pub study: Study,
    pub scenario_text: String,
    /// The part file of every point, in point order.
    pub parts: Vec<PathBuf>,
}

/// Gathers the parts of a study from `dirs`; every point must be present in one of them.
pub fn gather(dirs: &[PathBuf]) -> anyhow::Result<Gathered> {
    let first = dirs.first().context("no study folders given")?;
    let manifest = Manifest::read(first)?;
    let scenario_text = super::input::read_scenario_text(&first.join(SCENARIO))?;
    let draws_path = first.join(POSTERIOR);
    let draws_text = match draws_path.exists() {
        true => fs::read_to_string(&draws_path).with_context(|| format!("cannot read {}", draws_path.display()))?,
        false => String::new(),
    };
    if fingerprint(manifest.kind, &(scenario_text.clone() + &draws_text)) != manifest.fingerprint {
        bail!(
            "{}: its scenario does not match its manifest (edited by hand, or written by another linli version \
             than {}): rerun the study",
            first.display(),
            crate::VERSION
        );
    }
    let mut owner: Vec<Option<&PathBuf>> = vec![None; manifest.points];
    for dir in dirs {
        let other = Manifest::read(dir)?;
        if other.fingerprint != manifest.fingerprint || other.kind != manifest.kind {
            bail!(
                "{} and {} hold different studies (their scenarios, designs, replicates or posterior draws differ)",
                first.display(),
                dir.display()
            );
        }
        for index in finished_points(dir)? {
            if index < owner.len() {
                owner[index].get_or_insert(dir);
            }
        }
    }
    let missing: Vec<usize> = (0..owner.len()).filter(|&i| owner[i].is_none()).collect();
    if !missing.is_empty() {
        let listed: Vec<String> = missing.iter().take(10).map(usize::to_string).collect();
        let shards = missing_shards(&missing, &manifest);
        bail!(
            "{} of {} points are missing (points {}{}){shards}: run the missing shards (or \
             `linli {} --resume` on an interrupted folder), then merge again",
            missing.len(),
            manifest.points,
            listed.join(", "),
            if missing.len() > 10 { ", …" } else { "" },
            manifest.kind.name()
        );
    }
    let study = rebuild(&manifest, &scenario_text, &draws_text, first)?;
    let parts = owner.iter().enumerate().map(|(i, dir)| part_path(dir.expect("checked"), i)).collect();
    Ok(Gathered { study, scenario_text, parts })
}

fn missing_shards(missing: &[usize], manifest: &Manifest) -> String {
    let count = manifest.shard.count;
    if count == 1 {
        return String::new();
    }
    let mut shards: Vec<u32> = missing.iter().map(|&i| (i % count as usize) as u32 + 1).collect();
    shards.sort_unstable();
    shards.dedup();
    let names: Vec<String> = shards.iter().map(|k| format!("{k}/{count}")).collect();
    format!(", from shard {}", names.join(", "))
}

fn rebuild(manifest: &Manifest, text: &str, draws: &str, dir: &Path) -> anyhow::Result<Study> {
    let plan = crate::experiment::parse(text, &dir.join(SCENARIO))?;
    let mut study = Study::of(manifest.kind, &plan)
        .map_err(|p| anyhow::anyhow!("{}: {}: expected {}, found {}", dir.display(), p.key, p.expected, p.found))?;
    if !draws.is_empty() {
        let parsed = Draws::parse(draws)
            .map_err(|p| anyhow::anyhow!("{}: line {}: {}", dir.join(POSTERIOR).display(), p.line, p.expected))?;
        study = study.under_posterior(parsed).map_err(|e| anyhow::anyhow!("{}: {e}", dir.join(POSTERIOR).display()))?;
    }
    if study.points.len() != manifest.points {
        bail!("{}: the manifest lists {} points, the scenario {}", dir.display(), manifest.points, study.points.len());
    }
    Ok(study)
}
