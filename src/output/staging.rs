//! Atomic output: files are written into a hidden staging folder and renamed into place together.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// A staging folder inside the output folder; removed if dropped before [`Staging::commit`],
/// together with the output folder itself if this staging created it.
pub struct Staging {
    out_dir: PathBuf,
    created_out_dir: bool,
    dir: PathBuf,
    files: Vec<String>,
    committed: bool,
}

impl Staging {
    pub fn new(out_dir: &Path) -> anyhow::Result<Staging> {
        let created_out_dir = !out_dir.exists();
        fs::create_dir_all(out_dir).with_context(|| format!("cannot create output folder {}", out_dir.display()))?;
        let dir = out_dir.join(format!(".linli-staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging { out_dir: out_dir.to_path_buf(), created_out_dir, dir, files: Vec::new(), committed: false })
    }

    /// The staging path of `name`, for writers that need a path; the file joins the commit.
    pub fn path(&mut self, name: &str) -> PathBuf {
        self.files.push(name.to_string());
        self.dir.join(name)
    }

    /// Where a file already staged lies (does not add it to the commit again).
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn write(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.path(name);
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Moves every staged file into the output folder; returns their final paths.
    pub fn commit(mut self) -> anyhow::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for name in &self.files {
            let target = self.out_dir.join(name);
            fs::rename(self.dir.join(name), &target)
                .with_context(|| format!("cannot move output into {}", target.display()))?;
            written.push(target);
        }
        self.committed = true;
        let _ = fs::remove_dir(&self.dir);
        Ok(written)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
            if self.created_out_dir {
                let _ = fs::remove_dir(&self.out_dir); // only succeeds while empty
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_appears_until_commit() {
        let out = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(out.path()).unwrap();
        staging.write("a.txt", b"hello").unwrap();
        assert!(!out.path().join("a.txt").exists());
        let written = staging.commit().unwrap();
        assert_eq!(fs::read_to_string(&written[0]).unwrap(), "hello");
        assert_eq!(fs::read_dir(out.path()).unwrap().count(), 1, "staging folder removed");
    }

    #[test]
    fn abandoned_staging_leaves_nothing() {
        let out = tempfile::tempdir().unwrap();
        {
            let mut staging = Staging::new(out.path()).unwrap();
            staging.write("a.txt", b"half").unwrap();
        }
        assert_eq!(fs::read_dir(out.path()).unwrap().count(), 0);
    }

    #[test]
    fn abandoned_staging_removes_an_output_folder_it_created() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("new");
        drop(Staging::new(&out).unwrap());
        assert!(!out.exists());
    }
}
