//! Reading a scenario file: at most [`MAX_SCENARIO_BYTES`], decoded as UTF-8 with a located error.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};

use crate::scenario::{MAX_SCENARIO_BYTES, decode};

/// The text of the scenario file at `path`; a larger file (or an endless one such as
/// `/dev/zero`) is refused after reading one byte past the cap.
pub fn read_scenario_text(path: &Path) -> anyhow::Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read scenario {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read scenario {}", path.display()))?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        bail!(
            "{}: a scenario file holds at most 1 MiB ({MAX_SCENARIO_BYTES} bytes); this one holds more",
            path.display()
        );
    }
    Ok(decode(&bytes, path)?.to_string())
}
