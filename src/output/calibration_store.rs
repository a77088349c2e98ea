//! A calibration's saved simulations (`<out>/simulations/`): one folder per batch, one part
//! file per process that ran some of its jobs, so a run resumes and shards share the work.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::study::{fingerprint_of, write_atomic};
use crate::experiment::calibrate::run::{JobResult, Store};
use crate::experiment::explore::Shard;

/// The folder, inside a calibration's output folder.
pub const FOLDER: &str = "simulations";
const MANIFEST: &str = "manifest.json";

/// What a simulations folder belongs to: folders are reused only for the same file and seed.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Manifest {
    linli: String,
    /// A digest of linli's version and the calibration's scenario as run.
    fingerprint: String,
}

/// What to do with simulations already saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    /// Refuse: the user must choose.
    Refuse,
    /// Reuse them (`--resume`, and every shard of a sharded run).
    Reuse,
    /// Discard them (`--restart`).
    Discard,
}

/// The simulations folder of one calibration, as one shard sees it.
pub struct SimulationStore {
    dir: PathBuf,
    shard: Shard,
    /// How long to wait between looks for other shards' results.
    poll: Duration,
}

impl SimulationStore {
    /// Opens `<out>/simulations` for the calibration whose scenario, as run, is `text`.
    pub fn open(out: &Path, text: &str, shard: Shard, saved: Saved) -> anyhow::Result<SimulationStore> {
        let dir = out.join(FOLDER);
        let manifest = Manifest { linli: crate::VERSION.into(), fingerprint: fingerprint_of("calibration", text) };
        let path = dir.join(MANIFEST);
        if path.exists() {
            match saved {
                Saved::Discard => {
                    fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?
                }
                Saved::Refuse => bail!(
                    "{} holds the simulations of an earlier calibration: pass --resume to reuse them (only the \
                     missing ones run), or --restart to discard them",
                    dir.display()
                ),
                Saved::Reuse => {}
            }
        }
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        // Shards may start together: the first manifest written stays, and every shard checks it.
        let temporary = dir.join(format!("{MANIFEST}.tmp-{}", std::process::id()));
        write_atomic(&temporary, serde_json::to_string_pretty(&manifest)?.as_bytes())?;
        let _ = fs::hard_link(&temporary, &path);
        fs::remove_file(&temporary)?;
        let found: Manifest = serde_json::from_str(&fs::read_to_string(&path)?)
            .with_context(|| format!("{} is not a linli calibration manifest", path.display()))?;
        if found != manifest {
            bail!(
                "{} holds the simulations of another calibration (its file, seed or linli version differ): use \
                 another --out, or delete that folder",
                dir.display()
            );
        }
        Ok(SimulationStore { dir, shard, poll: Duration::from_millis(500) })
    }

    fn batch_dir(&self, batch: usize) -> PathBuf {
        self.dir.join(format!("batch-{batch:05}"))
    }
}

impl Store for SimulationStore {
    fn saved(&self, batch: usize) -> anyhow::Result<BTreeMap<usize, JobResult>> {
        let dir = self.batch_dir(batch);
        let mut results = BTreeMap::new();
        // Shard 1 moves the folder into its outputs at the end: for a moment, nothing is there.
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(results),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
        };
        for entry in entries {
            let path = entry?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            if name.starts_with("part-") && name.ends_with(".csv") {
                let text = match fs::read_to_string(&path) {
                    Ok(text) => text,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
                    Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
                };
                read_part(&text, &mut results).with_context(|| format!("{} is damaged: delete it", path.display()))?;
            }
        }
        Ok(results)
    }

    fn save(&self, batch: usize, results: &BTreeMap<usize, JobResult>) -> anyhow::Result<()> {
        let dir = self.batch_dir(batch);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let first = results.keys().next().copied().unwrap_or_default();
        let name = format!("part-{first:06}-{}of{}.csv", self.shard.index, self.shard.count);
        write_atomic(&dir.join(name), part_text(results).as_bytes())
    }

    fn holds(&self, job: usize) -> bool {
        self.shard.holds(job)
    }

    fn gather(&self, batch: usize, jobs: usize) -> anyhow::Result<BTreeMap<usize, JobResult>> {
        let started = std::time::Instant::now();
        let mut next_word = Duration::ZERO;
        loop {
            let results = self.saved(batch)?;
            if results.len() >= jobs {
                return Ok(results);
            }
            // Say so at once, then every minute: a shard that never comes keeps the others waiting.
            if started.elapsed() >= next_word {
                let count = self.shard.count as usize;
                let mut missing: Vec<usize> =
                    (0..jobs).filter(|j| !results.contains_key(j)).map(|j| j % count + 1).collect();
                missing.sort_unstable();
                missing.dedup();
                let names: Vec<String> = missing.iter().map(|k| format!("{k}/{count}")).collect();
                eprintln!(
                    "linli calibrate: shard {}: waiting {:.0} s for {} of {jobs} simulations of batch {batch} from \
                     shard {} in {}",
                    self.shard,
                    started.elapsed().as_secs_f64(),
                    jobs - results.len(),
                    names.join(", "),
                    self.dir.display()
                );
                next_word += Duration::from_secs(60);
            }
            std::thread::sleep(self.poll);
        }
    }
}

/// A part file: `job,slot,<target values>` per replicate of each job. Values are written in
/// Rust's shortest exact form, so they read back to the same bits.
fn part_text(results: &BTreeMap<usize, JobResult>) -> String {
    let mut text = String::new();
    for (job, replicates) in results {
        for (slot, values) in replicates.iter().enumerate() {
            let cells: Vec<String> = values.iter().map(|&x| exact_text(x)).collect();
            text.push_str(&format!("{job},{slot},{}\n", cells.join(",")));
        }
    }
    text
}

/// A value's text that reads back to the same bits: Rust's shortest exact form, and the sign of
/// a NaN (0/0 gives a negative one on x86, and sorting goes by it).
fn exact_text(x: f64) -> String {
    if x.is_nan() && x.is_sign_negative() { "-NaN".into() } else { x.to_string() }
}

fn exact_value(text: &str) -> anyhow::Result<f64> {
    match text {
        "-NaN" => Ok(-f64::NAN),
        _ => Ok(text.parse::<f64>()?),
    }
}

fn read_part(text: &str, results: &mut BTreeMap<usize, JobResult>) -> anyhow::Result<()> {
    for line in text.lines() {
        let mut cells = line.split(',');
        let job: usize = cells.next().context("no job")?.parse()?;
        let slot: usize = cells.next().context("no slot")?.parse()?;
        let values = cells.map(exact_value).collect::<anyhow::Result<Vec<_>>>()?;
        let replicates = results.entry(job).or_default();
        anyhow::ensure!(slot == replicates.len(), "job {job}: replicate {slot} out of order");
        replicates.push(values);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_read_back_to_the_same_bits() {
        let mut results = BTreeMap::new();
        results.insert(3, vec![vec![0.1 + 0.2, f64::NAN, -1e-300], vec![7.0, f64::INFINITY, -f64::NAN]]);
        let mut read = BTreeMap::new();
        read_part(&part_text(&results), &mut read).unwrap();
        let bits = |r: &BTreeMap<usize, JobResult>| -> Vec<u64> {
            r.values().flatten().flatten().map(|x| x.to_bits()).collect()
        };
        assert_eq!(bits(&read), bits(&results));
    }
}
