//! Atomic output: files are written into a staging folder and put in place only when complete.
//!
//! `run` and `compare` own their output folder: the files go to a staging folder beside it, and
//! the whole folder is replaced on commit, so an earlier run's files never survive beside new
//! ones. A study adds its results to a folder that also holds its saved points, so it stages
//! inside the folder and moves file by file. Either way a killed run leaves only a staging
//! folder named after its process, which the next run removes, and SIGINT/SIGTERM remove it at
//! once (see [`remove_unfinished`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, bail};

/// The hidden file that marks a folder as a linli command's output, and says which command.
pub const MARKER: &str = ".linli-output";

/// What `commit` does with the staged files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The staged folder replaces the whole output folder.
    ReplaceFolder,
    /// The staged files are moved into the output folder one by one.
    AddFiles,
}

/// A staging folder for one command's outputs; removed if dropped before [`Staging::commit`].
pub struct Staging {
    out_dir: PathBuf,
    dir: PathBuf,
    mode: Mode,
    kind: &'static str,
    /// Names an earlier run of this command may have left (checked again before replacing).
    known_files: Vec<String>,
    files: Vec<String>,
    /// Folders of the output folder that the new one keeps (moved across on commit).
    kept: Vec<String>,
    committed: bool,
}

/// Staging folders of this process not yet committed, for the signal handler.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes every staging folder of this process that has not been committed (called when the
/// process is interrupted, so an interrupted run leaves nothing half-written).
pub fn remove_unfinished() {
    let dirs = UNFINISHED.lock().map(|dirs| dirs.clone()).unwrap_or_default();
    for dir in dirs {
        // A writer may add a file while the folder is being removed: try again.
        for _ in 0..5 {
            if fs::remove_dir_all(&dir).is_ok() || !dir.exists() {
                break;
            }
        }
    }
}

impl Staging {
    /// Stages the outputs of `linli <kind>` beside `out_dir`, to replace the whole folder on commit.
    /// Refuses a folder that holds anything but an earlier `linli <kind>`'s outputs.
    pub fn replace_folder(out_dir: &Path, kind: &'static str, known_files: &[&str]) -> anyhow::Result<Staging> {
        let (parent, name) = split_out_dir(out_dir)?;
        let out_dir = parent.join(&name);
        check_replaceable(&out_dir)?;
        check_owned(&out_dir, kind, known_files)?;
        fs::create_dir_all(&parent).with_context(|| format!("cannot create folder {}", parent.display()))?;
        remove_stale(&parent, &format!(".{name}.linli-"))?;
        let dir = parent.join(format!(".{name}.linli-staging-{}", std::process::id()));
        let mut staging = Staging::create(&out_dir, dir, Mode::ReplaceFolder, kind)?;
        staging.known_files = known_files.iter().map(|name| name.to_string()).collect();
        Ok(staging)
    }

    /// Stages files inside `out_dir` that join it on commit, leaving its other contents alone.
    pub fn add_files(out_dir: &Path, kind: &'static str) -> anyhow::Result<Staging> {
        fs::create_dir_all(out_dir).with_context(|| format!("cannot create output folder {}", out_dir.display()))?;
        remove_stale_staging(out_dir)?;
        let dir = out_dir.join(format!(".linli-staging-{}", std::process::id()));
        Staging::create(out_dir, dir, Mode::AddFiles, kind)
    }

    fn create(out_dir: &Path, dir: PathBuf, mode: Mode, kind: &'static str) -> anyhow::Result<Staging> {
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        if let Ok(mut dirs) = UNFINISHED.lock() {
            dirs.push(dir.clone());
        }
        let out_dir = out_dir.to_path_buf();
        Ok(Staging {
            out_dir,
            dir,
            mode,
            kind,
            known_files: Vec::new(),
            files: Vec::new(),
            kept: Vec::new(),
            committed: false,
        })
    }

    /// Keeps the output folder's subfolder `name` (if any) when the commit replaces the folder:
    /// it is moved into the new one, not copied, at the moment of the swap.
    pub fn keep_folder(&mut self, name: &str) {
        self.kept.push(name.to_string());
    }

    /// The staging path of `name`, for writers that need a path; the file joins the commit.
    pub fn path(&mut self, name: &str) -> PathBuf {
        self.files.push(name.to_string());
        self.dir.join(name)
    }

    /// The staging folder, for files that are written in parts and joined before the commit.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a file already staged lies (does not add it to the commit again).
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn write(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path(name);
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Puts every staged file in place; returns their final paths.
    pub fn commit(mut self) -> anyhow::Result<Vec<PathBuf>> {
        match self.mode {
            Mode::ReplaceFolder => self.replace_out_dir()?,
            Mode::AddFiles => self.move_files()?,
        }
        self.committed = true;
        self.forget();
        Ok(self.files.iter().map(|name| self.out_dir.join(name)).collect())
    }

    /// Swaps the staging folder in for the output folder: two renames, and the old folder is
    /// removed only once the new one is in place. The folder is checked again first (files may
    /// have arrived during the run), and the signal handler waits while the renames run, so an
    /// interrupt never removes a staging folder that already holds the only copy.
    fn replace_out_dir(&self) -> anyhow::Result<()> {
        fs::write(self.dir.join(MARKER), format!("linli {} {}\n", self.kind, crate::VERSION))
            .with_context(|| format!("cannot write {}", self.dir.display()))?;
        let known: Vec<&str> = self.known_files.iter().map(String::as_str).collect();
        check_owned(&self.out_dir, self.kind, &known)?;
        let old = self.dir.with_file_name(
            self.dir.file_name().unwrap_or_default().to_string_lossy().replace(".linli-staging-", ".linli-old-"),
        );
        let had_old = self.out_dir.exists();
        {
            let mut unfinished = UNFINISHED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for name in self.kept.iter().filter(|name| self.out_dir.join(name).is_dir()) {
                fs::rename(self.out_dir.join(name), self.dir.join(name)).with_context(|| {
                    format!("cannot move {} into the new outputs", self.out_dir.join(name).display())
                })?;
            }
            if had_old && let Err(err) = fs::rename(&self.out_dir, &old) {
                self.put_kept_back();
                return Err(err).with_context(|| format!("cannot move {} aside", self.out_dir.display()));
            }
            if let Err(err) = fs::rename(&self.dir, &self.out_dir) {
                if had_old {
                    let _ = fs::rename(&old, &self.out_dir); // put the earlier run back
                }
                self.put_kept_back();
                return Err(err).with_context(|| format!("cannot move output into {}", self.out_dir.display()));
            }
            unfinished.retain(|dir| dir != &self.dir);
        }
        if had_old {
            fs::remove_dir_all(&old).with_context(|| format!("cannot remove {}", old.display()))?;
        }
        Ok(())
    }

    /// After a failed swap: the kept folders go back where they were, so nothing saved is lost.
    fn put_kept_back(&self) {
        for name in &self.kept {
            let _ = fs::create_dir_all(&self.out_dir);
            let _ = fs::rename(self.dir.join(name), self.out_dir.join(name));
        }
    }

    fn move_files(&self) -> anyhow::Result<()> {
        for name in &self.files {
            let target = self.out_dir.join(name);
            fs::rename(self.dir.join(name), &target)
                .with_context(|| format!("cannot move output into {}", target.display()))?;
        }
        let _ = fs::remove_dir(&self.dir);
        Ok(())
    }

    fn forget(&self) {
        if let Ok(mut dirs) = UNFINISHED.lock() {
            dirs.retain(|dir| dir != &self.dir);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
            self.forget();
        }
    }
}

/// The folder that will hold the output folder, and the output folder's own name.
fn split_out_dir(out_dir: &Path) -> anyhow::Result<(PathBuf, String)> {
    let absolute = std::path::absolute(out_dir).with_context(|| format!("cannot resolve {}", out_dir.display()))?;
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => Ok((parent.to_path_buf(), name.to_string_lossy().into_owned())),
        _ => bail!("cannot write into {}: name a folder of its own with --out", out_dir.display()),
    }
}

/// Whether `out_dir` may be replaced by `linli <kind>`: it is missing, or holds only files that
/// command writes (and its marker, if it has one, names that command).
fn check_owned(out_dir: &Path, kind: &str, known_files: &[&str]) -> anyhow::Result<()> {
    if !out_dir.exists() {
        return Ok(());
    }
    let shown = out_dir.display();
    if !out_dir.is_dir() {
        bail!("--out {shown} is a file, not a folder: choose another --out");
    }
    if let Ok(marker) = fs::read_to_string(out_dir.join(MARKER)) {
        let owner = marker.split_whitespace().nth(1).unwrap_or_default();
        if owner != kind {
            bail!(
                "{shown} holds the outputs of `linli {owner}`, not of `linli {kind}`: choose another --out, or remove it"
            );
        }
    }
    let entries = fs::read_dir(out_dir).with_context(|| format!("cannot read {shown}"))?;
    let foreign: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != MARKER && !known_files.contains(&name.as_str()))
        .collect();
    if let Some(first) = foreign.first() {
        bail!(
            "{shown} holds files that `linli {kind}` did not write (for example {first}); a run replaces its whole \
             output folder, so choose another --out, or move them away"
        );
    }
    Ok(())
}

/// Refuses an output folder that cannot be swapped by renaming: the current folder or one of
/// its parents, or a mount point. Checked before the run, not after it.
fn check_replaceable(out_dir: &Path) -> anyhow::Result<()> {
    let shown = out_dir.display();
    if let Ok(here) = std::env::current_dir().and_then(std::path::absolute)
        && here.starts_with(out_dir)
    {
        bail!(
            "--out {shown} is the current folder or holds it: a run replaces its whole output folder, so name a folder of its own"
        );
    }
    if is_mount_point(out_dir) {
        bail!("--out {shown} is a mount point, which cannot be replaced by renaming: name a folder inside it");
    }
    Ok(())
}

#[cfg(unix)]
fn is_mount_point(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let device = |path: &Path| fs::symlink_metadata(path).map(|m| m.dev()).ok();
    match (device(dir), dir.parent().and_then(device)) {
        (Some(own), Some(parent)) => own != parent,
        _ => false,
    }
}

#[cfg(not(unix))]
fn is_mount_point(_dir: &Path) -> bool {
    false
}

/// Removes the staging folders that dead processes left inside `dir` (a study's folder, at the
/// start of every run of the study, `--resume` included).
pub fn remove_stale_staging(dir: &Path) -> anyhow::Result<()> {
    remove_stale(dir, ".linli-")
}

/// Removes the staging folders in `dir` whose names start with `prefix` and whose process is gone.
fn remove_stale(dir: &Path, prefix: &str) -> anyhow::Result<()> {
    let Ok(entries) = fs::read_dir(dir) else { return Ok(()) };
    for entry in entries.filter_map(|entry| entry.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(prefix) else { continue };
        let pid = rest.strip_prefix("staging-").or_else(|| rest.strip_prefix("old-"));
        if let Some(pid) = pid.and_then(|pid| pid.parse::<u32>().ok())
            && !process_is_alive(pid)
        {
            let path = entry.path();
            fs::remove_dir_all(&path).with_context(|| format!("cannot remove stale {}", path.display()))?;
        }
    }
    Ok(())
}

/// Whether a process with this id runs; where that cannot be known, assume it does (and so keep
/// its staging folder).
fn process_is_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn nothing_appears_until_commit() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        let mut staging = Staging::replace_folder(&out, "run", &[]).unwrap();
        staging.write("a.txt", b"hello").unwrap();
        assert!(!out.exists());
        let written = staging.commit().unwrap();
        assert_eq!(fs::read_to_string(&written[0]).unwrap(), "hello");
        assert_eq!(names(parent.path()), ["out"], "staging folder removed");
        assert_eq!(names(&out), [MARKER, "a.txt"]);
    }

    #[test]
    fn a_new_run_replaces_the_whole_folder() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        let mut first = Staging::replace_folder(&out, "run", &["points.png", "timeseries.csv"]).unwrap();
        first.write("points.png", b"old").unwrap();
        first.commit().unwrap();
        let mut second = Staging::replace_folder(&out, "run", &["points.png", "timeseries.csv"]).unwrap();
        second.write("timeseries.csv", b"new").unwrap();
        second.commit().unwrap();
        assert_eq!(names(&out), [MARKER, "timeseries.csv"], "no file of the earlier run survives");
        assert_eq!(names(parent.path()), ["out"]);
    }

    #[test]
    fn a_folder_with_other_files_is_refused_and_left_alone() {
        let out = tempfile::tempdir().unwrap();
        fs::write(out.path().join("thesis.docx"), b"mine").unwrap();
        let err = Staging::replace_folder(out.path(), "run", &["timeseries.csv"]).err().unwrap().to_string();
        assert!(err.contains("thesis.docx") && err.contains("--out"), "{err}");
        assert_eq!(names(out.path()), ["thesis.docx"]);
    }

    #[test]
    fn another_commands_folder_is_refused() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        Staging::replace_folder(&out, "compare", &[]).unwrap().commit().unwrap();
        let err = Staging::replace_folder(&out, "run", &[]).err().unwrap().to_string();
        assert!(err.contains("linli compare"), "{err}");
    }

    #[test]
    fn a_marked_folder_with_other_files_is_refused_too() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        Staging::replace_folder(&out, "run", &[]).unwrap().commit().unwrap();
        fs::write(out.join("notes.md"), b"mine").unwrap();
        let err = Staging::replace_folder(&out, "run", &[]).err().unwrap().to_string();
        assert!(err.contains("notes.md"), "{err}");
    }

    #[test]
    fn files_that_arrive_during_the_run_are_not_replaced() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        let mut staging = Staging::replace_folder(&out, "run", &["a.txt"]).unwrap();
        staging.write("a.txt", b"new").unwrap();
        fs::create_dir(&out).unwrap();
        fs::write(out.join("thesis.docx"), b"important").unwrap();
        let err = staging.commit().err().unwrap().to_string();
        assert!(err.contains("thesis.docx"), "{err}");
        assert_eq!(fs::read(out.join("thesis.docx")).unwrap(), b"important");
    }

    #[test]
    fn the_current_folder_and_its_parents_are_refused_before_the_run() {
        let here = std::env::current_dir().unwrap();
        for out in [Path::new("."), here.parent().unwrap()] {
            let err = Staging::replace_folder(out, "run", &[]).err().unwrap().to_string();
            assert!(err.contains("current folder") || err.contains("name a folder"), "{err}");
        }
    }

    #[test]
    fn a_folder_of_known_outputs_without_a_marker_is_replaced() {
        let out = tempfile::tempdir().unwrap();
        fs::write(out.path().join("timeseries.csv"), b"from an older linli").unwrap();
        assert!(Staging::replace_folder(out.path(), "run", &["timeseries.csv"]).is_ok());
    }

    #[test]
    fn abandoned_staging_leaves_nothing() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        {
            let mut staging = Staging::replace_folder(&out, "run", &[]).unwrap();
            staging.write("a.txt", b"half").unwrap();
        }
        assert!(names(parent.path()).is_empty());
        assert!(UNFINISHED.lock().unwrap().iter().all(|dir| !dir.starts_with(parent.path())));
    }

    #[test]
    fn stale_staging_of_a_dead_process_is_removed_on_start() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        let dead = u32::MAX - 7; // above any pid the kernel hands out
        for stale in [format!(".out.linli-staging-{dead}"), format!(".out.linli-old-{dead}")] {
            fs::create_dir(parent.path().join(stale)).unwrap();
        }
        fs::create_dir(parent.path().join(".other.linli-staging-1")).unwrap();
        let staging = Staging::replace_folder(&out, "run", &[]).unwrap();
        staging.commit().unwrap();
        assert_eq!(names(parent.path()), [".other.linli-staging-1", "out"]);
    }

    #[test]
    fn added_files_join_the_folder_and_stale_staging_inside_goes() {
        let out = tempfile::tempdir().unwrap();
        fs::create_dir(out.path().join("points")).unwrap();
        fs::create_dir(out.path().join(format!(".linli-staging-{}", u32::MAX - 7))).unwrap();
        let mut staging = Staging::add_files(out.path(), "sweep").unwrap();
        staging.write("sweep.csv", b"x").unwrap();
        staging.commit().unwrap();
        assert_eq!(names(out.path()), ["points", "sweep.csv"]);
    }
}
