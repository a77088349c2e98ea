//! Every file in `tests/scenarios/bad/` is rejected with the error its header comments promise.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The folder of invalid scenarios.
fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/bad")
}

/// Every `*.toml` in the bad folder, sorted by name.
pub fn bad_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(bad_dir())
        .expect("tests/scenarios/bad exists")
        .map(|entry| entry.expect("a readable folder entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

/// What a bad file says it must produce (its `# expect-...:` header lines).
#[derive(Debug, Default)]
struct Expectation {
    kind: Option<String>,
    key: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    messages: Vec<String>,
}

impl Expectation {
    /// Reads the header: the leading comment lines of `text`.
    fn parse(text: &str) -> Result<Expectation, String> {
        let mut expect = Expectation::default();
        for line in text.lines().take_while(|line| line.starts_with('#')) {
            let Some(rest) = line.strip_prefix("# expect-") else {
                continue;
            };
            let (field, value) = rest.split_once(':').ok_or_else(|| format!("header line without `:`: {line:?}"))?;
            let value = value.trim();
            let number =
                |what: &str| value.parse::<usize>().map_err(|_| format!("expect-{what} is not a number: {value:?}"));
            match field {
                "kind" => expect.kind = Some(value.to_string()),
                "key" => expect.key = Some(value.to_string()),
                "line" => expect.line = Some(number("line")?),
                "column" => expect.column = Some(number("column")?),
                "message" if !value.is_empty() => expect.messages.push(value.to_string()),
                "message" => return Err("empty expect-message".into()),
                other => return Err(format!("unknown header field expect-{other}")),
            }
        }
        let missing: Vec<&str> = [
            ("kind", expect.kind.is_none()),
            ("key", expect.key.is_none()),
            ("line", expect.line.is_none()),
            ("column", expect.column.is_none()),
            ("message", expect.messages.is_empty()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        if missing.is_empty() { Ok(expect) } else { Err(format!("header lacks expect-{}", missing.join(", expect-"))) }
    }
}

/// The mismatches between what parsing `path` produced and what its header promises.
fn check_file(path: &Path) -> Vec<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => return vec![format!("cannot read: {err}")],
    };
    let expect = match Expectation::parse(&text) {
        Ok(expect) => expect,
        Err(problem) => return vec![problem],
    };
    let err = match linli::experiment::parse(&text, path) {
        Ok(_) => return vec!["parsed without error".into()],
        Err(err) => err,
    };
    let shown = err.to_string();
    let mut mismatches = Vec::new();
    let mut compare = |what: &str, expected: String, found: String| {
        if expected != found {
            mismatches.push(format!("{what}: expected {expected:?}, got {found:?}"));
        }
    };
    compare("kind", expect.kind.unwrap(), format!("{:?}", err.kind));
    compare("key", expect.key.unwrap(), err.key.clone());
    compare("line", expect.line.unwrap().to_string(), err.location.line.to_string());
    compare("column", expect.column.unwrap().to_string(), err.location.column.to_string());
    for message in &expect.messages {
        if !shown.contains(message.as_str()) {
            mismatches.push(format!("message lacks {message:?}"));
        }
    }
    if !mismatches.is_empty() {
        let indented = shown.replace('\n', "\n      ");
        mismatches.push(format!("the error was:\n      {indented}"));
    }
    mismatches
}

#[test]
fn every_bad_scenario_fails_as_its_header_says() {
    let files = bad_files();
    assert!(files.len() >= 15, "expected at least 15 bad scenarios in {}, found {}", bad_dir().display(), files.len());
    let mut report = String::new();
    let mut failed = 0;
    for path in &files {
        let mismatches = check_file(path);
        if mismatches.is_empty() {
            continue;
        }
        failed += 1;
        let name = path.file_name().unwrap().to_string_lossy();
        writeln!(report, "{name}:").unwrap();
        for mismatch in mismatches {
            writeln!(report, "  - {mismatch}").unwrap();
        }
    }
    assert!(failed == 0, "{failed} of {} bad scenarios did not fail as expected:\n{report}", files.len());
}

/// Runs the built `linli` binary with `args`, in `dir`.
fn linli(args: &[&std::ffi::OsStr], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linli")).args(args).current_dir(dir).output().expect("the linli binary runs")
}

#[test]
fn check_command_reports_the_location_and_exits_2() {
    for name in ["03-misspelt-key.toml", "23-trust-out-of-range.toml"] {
        let path = bad_dir().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = Expectation::parse(&text).unwrap();
        let output = linli(&["check".as_ref(), path.as_os_str()], &bad_dir());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        let position = format!(":{}:{}", expect.line.unwrap(), expect.column.unwrap());
        for wanted in [name, position.as_str(), "key:", "expected:", "found:"] {
            assert!(stderr.contains(wanted), "{name}: stderr lacks {wanted:?}:\n{stderr}");
        }
    }
}

#[test]
fn run_command_on_a_bad_scenario_writes_nothing_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let path = bad_dir().join("13-residents-fewer-than-households.toml");
    let output = linli(&["run".as_ref(), path.as_os_str(), "--out".as_ref(), out.as_os_str()], tmp.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("13-residents-fewer-than-households.toml"), "{stderr}");
    assert!(!out.exists(), "{} was created", out.display());
}

#[test]
fn a_bad_measure_stops_check_run_and_compare_with_exit_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "44-measure-unknown-act.toml";
    let path = bad_dir().join(name);
    for command in ["check", "run", "compare"] {
        let out = tmp.path().join(command);
        let mut args: Vec<&std::ffi::OsStr> = vec![command.as_ref(), path.as_os_str()];
        if command != "check" {
            args.extend(["--out".as_ref(), out.as_os_str()]);
        }
        let output = linli(&args, tmp.path());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        for wanted in [name, ":15:7:", "key:      output.measure[0].act", "found:    \"volunteer\"", "took_part"] {
            assert!(stderr.contains(wanted), "{command}: stderr lacks {wanted:?}:\n{stderr}");
        }
        assert!(!out.exists(), "{command} created {}", out.display());
    }
}
