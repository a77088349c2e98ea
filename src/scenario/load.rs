//! Reading a scenario: TOML text -> spans -> typed [`Scenario`] -> validated, with located errors.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{ErrorKind, Location, ScenarioError};
use super::schema::Scenario;
use super::validate::{Problem, validate};

/// Parses and validates scenario text; `file` names it in errors (boxed: a location and
/// four strings would make every `Result` large). A file with sections other than the
/// scenario's (`[[arm]]`, `[sweep]`...) is read with [`read_with_sections`].
pub fn parse(text: &str, file: &Path) -> Result<Scenario, Box<ScenarioError>> {
    read_with_sections(text, file, &[])?.finish()
}

/// A file read as far as its scenario: the typed scenario and its validation problems, with the
/// top-level sections its caller named left for the caller to read and check. The scenario
/// becomes usable through [`Reading::finish`], which reports every problem found.
pub struct Reading<'a> {
    /// The scenario as written, not yet known to be valid.
    pub scenario: Scenario,
    /// Every problem found so far, in file order of sections; a caller adds those of its
    /// sections before [`Reading::finish`].
    pub problems: Vec<Problem>,
    source: Source<'a>,
    spans: SpanIndex,
    sections: Spanned<DeTable<'a>>,
}

/// Reads `text` as a scenario whose top-level keys named in `sections` belong to the caller:
/// they are not part of the scenario, and an unknown top-level key is told they exist too
/// (listed where the format puts them, before the scenario's `[[event]]` list).
/// Syntax and type errors stop the reading at the first.
pub fn read_with_sections<'a>(
    text: &'a str,
    file: &'a Path,
    sections: &[&str],
) -> Result<Reading<'a>, Box<ScenarioError>> {
    let source = Source { text, file };
    let root = DeTable::parse(text).map_err(|err| source.syntax_error(&err))?;
    let spans = SpanIndex::build(&root);
    let span = root.span();
    let (theirs, ours): (DeTable<'_>, DeTable<'_>) =
        root.into_inner().into_iter().partition(|(key, _)| sections.contains(&key.get_ref().as_ref()));
    let deserializer = toml::de::Deserializer::from(Spanned::new(span.clone(), ours));
    let scenario = Scenario::deserialize(deserializer).map_err(|err| source.serde_error(&err, &spans, sections))?;
    let problems = validate(&scenario);
    Ok(Reading { scenario, problems, source, spans, sections: Spanned::new(span, theirs) })
}

impl Reading<'_> {
    /// The caller's sections, typed; a type error or unknown key is located like the scenario's.
    pub fn sections<T: serde::de::DeserializeOwned>(&self) -> Result<T, Box<ScenarioError>> {
        let deserializer = toml::de::Deserializer::from(self.sections.clone());
        T::deserialize(deserializer).map_err(|err| self.source.serde_error(&err, &self.spans, &[]))
    }

    /// The scenario, if no problem was found; otherwise the first problem, located, with every
    /// other one in its `also`.
    pub fn finish(self) -> Result<Scenario, Box<ScenarioError>> {
        let mut located = self.problems.into_iter().map(|problem| self.source.problem_error(problem, &self.spans));
        match located.next() {
            Some(mut first) => {
                first.also = located.map(|problem| *problem).collect();
                Err(first)
            }
            None => Ok(self.scenario),
        }
    }
}

/// A scenario file's bytes as text; invalid UTF-8 is located at its first invalid byte.
pub fn decode<'a>(bytes: &'a [u8], file: &Path) -> Result<&'a str, Box<ScenarioError>> {
    std::str::from_utf8(bytes).map_err(|err| {
        let valid = std::str::from_utf8(&bytes[..err.valid_up_to()]).expect("valid up to here");
        Box::new(ScenarioError {
            kind: ErrorKind::Syntax,
            location: Source { text: valid, file }.location(valid.len()),
            key: String::new(),
            expected: "UTF-8 text".into(),
            found: format!("the byte 0x{:02x}, which is not UTF-8", bytes[err.valid_up_to()]),
            help: Some("save the file as UTF-8".into()),
            also: Vec::new(),
        })
    })
}

/// The text being read and its file name.
struct Source<'a> {
    text: &'a str,
    file: &'a Path,
}

impl Source<'_> {
    fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..offset].chars().count() + 1;
        Location { file: self.file.to_path_buf(), line, column }
    }

    fn snippet(&self, span: &Range<usize>) -> String {
        let raw = self.text.get(span.clone()).unwrap_or("").trim();
        let first_line = raw.lines().next().unwrap_or("");
        let mut snippet: String = first_line.chars().take(60).collect();
        if snippet.len() < raw.len() {
            snippet.push('…');
        }
        if snippet.is_empty() { "nothing".into() } else { snippet }
    }

    fn syntax_error(&self, err: &toml::de::Error) -> Box<ScenarioError> {
        let span = err.span().unwrap_or(0..0);
        Box::new(ScenarioError {
            kind: ErrorKind::Syntax,
            location: self.location(span.start),
            key: key_of_raw_line(self.text, span.start),
            expected: err.message().trim().to_string(),
            found: self.snippet(&span),
            help: None,
            also: Vec::new(),
        })
    }

    /// A serde error, located; `sections` are the caller's top-level keys, named among the
    /// valid ones when a top-level key is unknown.
    fn serde_error(&self, err: &toml::de::Error, spans: &SpanIndex, sections: &[&str]) -> Box<ScenarioError> {
        let span = err.span().unwrap_or(0..0);
        let mut message = SerdeMessage::parse(err.message());
        let table = spans.key_of_table_at(&span);
        let key = match &message.field {
            Some(field) => join_key(&table, field),
            None => spans.key_at(&span),
        };
        let top_level = message.kind == ErrorKind::UnknownKey && table.is_empty() && !sections.is_empty();
        if let (Some((_, candidates)), true) = (&mut message.unknown, top_level) {
            let events = candidates.iter().position(|c| c == "event").unwrap_or(candidates.len());
            candidates.splice(events..events, sections.iter().map(|s| s.to_string()));
            message.expected = format!("one of {}", candidates.join(", "));
        }
        let help = message.unknown.as_ref().and_then(|(name, candidates)| closest_key(name, candidates));
        Box::new(ScenarioError {
            kind: message.kind,
            location: self.location(span.start),
            found: message.found.unwrap_or_else(|| self.snippet(&span)),
            key,
            expected: message.expected,
            help,
            also: Vec::new(),
        })
    }

    fn problem_error(&self, problem: Problem, spans: &SpanIndex) -> Box<ScenarioError> {
        let span = spans.span_of(&problem.key);
        Box::new(ScenarioError {
            kind: problem.kind,
            location: self.location(span.start),
            key: problem.key,
            expected: problem.expected,
            found: problem.found,
            help: problem.help,
            also: Vec::new(),
        })
    }
}

/// The dotted key whose value holds `offset`, read from raw lines because the text did not
/// parse (so `start_date = 2023-02-30` names `scenario.start_date`): the last table header
/// before the line and the key before its `=`. Empty when `offset` is not in a value.
fn key_of_raw_line(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let Some((key, _)) = before[line_start..].split_once('=') else {
        return String::new();
    };
    let key = bare_key(key);
    if key.is_empty() || key.starts_with('[') {
        return String::new();
    }
    join_key(&table_before(&text[..line_start]), &key)
}

/// The table the last header of `text` opens, with array-of-tables items numbered (`event[1]`).
fn table_before(text: &str) -> String {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut table = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("[[").and_then(|rest| rest.split("]]").next()) {
            let name = bare_key(name);
            *counts.entry(name.clone()).or_default() += 1;
            table = numbered(&name, &counts);
        } else if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.split(']').next()) {
            table = numbered(&bare_key(name), &counts);
        }
    }
    table
}

/// `name` with the current item's index after each array of tables in it (`arm[2].policy`).
fn numbered(name: &str, counts: &std::collections::HashMap<String, usize>) -> String {
    let (mut raw, mut out) = (String::new(), String::new());
    for segment in name.split('.') {
        raw = join_key(&raw, segment);
        out = join_key(&out, segment);
        if let Some(count) = counts.get(&raw) {
            out.push_str(&format!("[{}]", count - 1));
        }
    }
    out
}

/// A key as written (`a . "b"`) as a plain dotted path (`a.b`).
fn bare_key(raw: &str) -> String {
    let segments: Vec<&str> = raw.split('.').map(|s| s.trim().trim_matches(['"', '\''])).collect();
    segments.join(".")
}

/// What a serde error message says, taken apart.
struct SerdeMessage {
    kind: ErrorKind,
    expected: String,
    found: Option<String>,
    /// For a missing or unknown field: its name, to append to the table's key.
    field: Option<String>,
    /// For an unknown field: its name and the valid names.
    unknown: Option<(String, Vec<String>)>,
}

impl SerdeMessage {
    fn parse(message: &str) -> SerdeMessage {
        let message = message.trim();
        if let Some(rest) = message.strip_prefix("unknown field ") {
            let (name, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
            let name = name.trim_matches('`').to_string();
            let candidates = backticked(expected);
            return SerdeMessage {
                kind: ErrorKind::UnknownKey,
                expected: format!("one of {}", candidates.join(", ")),
                found: Some(name.clone()),
                field: Some(name.clone()),
                unknown: Some((name, candidates)),
            };
        }
        if let Some(rest) = message.strip_prefix("missing field ") {
            let name = rest.trim_matches('`').to_string();
            return SerdeMessage {
                kind: ErrorKind::MissingKey,
                expected: format!("a value for `{name}`"),
                found: Some("no such key".into()),
                field: Some(name),
                unknown: None,
            };
        }
        if let Some(rest) = message.strip_prefix("unknown variant ") {
            let (name, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
            let candidates = backticked(expected);
            return SerdeMessage {
                kind: ErrorKind::InvalidValue,
                expected: format!("one of {}", candidates.join(", ")),
                found: Some(name.trim_matches('`').to_string()),
                field: None,
                unknown: Some((name.trim_matches('`').to_string(), candidates)),
            };
        }
        let kind = if message.starts_with("invalid type") { ErrorKind::WrongType } else { ErrorKind::InvalidValue };
        let expected = message.split_once(", expected ").map_or(message, |(_, e)| e);
        SerdeMessage { kind, expected: friendly_type(expected), found: None, field: None, unknown: None }
    }
}

/// The names between backticks in a serde "expected one of" list.
fn backticked(list: &str) -> Vec<String> {
    list.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// Plain words for Rust type names in serde messages.
fn friendly_type(expected: &str) -> String {
    match expected {
        "u32" | "u64" | "usize" => "a whole number, 0 or more".into(),
        "f64" | "f32" => "a number".into(),
        "a string" | "a boolean" => expected.into(),
        "a sequence" => "a list; a list of tables is written as one [[name]] block per entry".into(),
        other => other.into(),
    }
}

/// "Did you mean" for an unknown key, when a valid key is close enough.
pub fn closest_key(name: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

fn join_key(table: &str, field: &str) -> String {
    if table.is_empty() { field.to_string() } else { format!("{table}.{field}") }
}

/// The source spans of every key and value, by dotted path (`event[0].name`).
struct SpanIndex {
    entries: Vec<SpanEntry>,
}

struct SpanEntry {
    path: String,
    key: Range<usize>,
    value: Range<usize>,
    is_table: bool,
}

impl SpanIndex {
    fn build(root: &Spanned<DeTable<'_>>) -> SpanIndex {
        let mut index = SpanIndex { entries: Vec::new() };
        index.add_table("", root.get_ref());
        index
    }

    fn add_table(&mut self, prefix: &str, table: &DeTable<'_>) {
        for (key, value) in table {
            let path = join_key(prefix, key.get_ref());
            self.add_value(path, key.span(), value);
        }
    }

    fn add_value(&mut self, path: String, key: Range<usize>, value: &Spanned<DeValue<'_>>) {
        let is_table = matches!(value.get_ref(), DeValue::Table(_));
        self.entries.push(SpanEntry { path: path.clone(), key: key.clone(), value: value.span(), is_table });
        match value.get_ref() {
            DeValue::Table(table) => self.add_table(&path, table),
            DeValue::Array(items) => {
                // An item of an array of tables is located at its own `[[name]]` header.
                for (i, item) in items.iter().enumerate() {
                    let item_key = if matches!(item.get_ref(), DeValue::Table(_)) { item.span() } else { key.clone() };
                    self.add_value(format!("{path}[{i}]"), item_key, item);
                }
            }
            _ => {}
        }
    }

    /// The deepest key whose key or value contains `span`.
    fn key_at(&self, span: &Range<usize>) -> String {
        self.entries
            .iter()
            .filter(|e| contains(&e.key, span) || contains(&e.value, span))
            .max_by_key(|e| e.path.len())
            .map(|e| e.path.clone())
            .unwrap_or_default()
    }

    /// The deepest table containing `span` (for a field missing from, or unknown in, a table).
    fn key_of_table_at(&self, span: &Range<usize>) -> String {
        if span.is_empty() {
            return String::new(); // toml reports the root table with an empty span
        }
        let exact_key = self.entries.iter().filter(|e| e.key == *span).max_by_key(|e| e.path.len());
        if let Some(entry) = exact_key {
            if entry.is_table && entry.path.ends_with(']') {
                return entry.path.clone(); // the span is an array item's own `[[name]]` header
            }
            return entry.path.rsplit_once('.').map_or(String::new(), |(table, _)| table.to_string());
        }
        self.entries
            .iter()
            .filter(|e| e.is_table && contains(&e.value, span))
            .max_by_key(|e| e.path.len())
            .map(|e| e.path.clone())
            .unwrap_or_default()
    }

    /// Where to point for a key: its value, else its nearest written parent, else the start.
    fn span_of(&self, path: &str) -> Range<usize> {
        let mut current = path;
        loop {
            if let Some(entry) = self.entries.iter().find(|e| e.path == current) {
                return if entry.is_table { entry.key.clone() } else { entry.value.clone() };
            }
            match current.rfind(['.', '[']) {
                Some(cut) => current = &current[..cut],
                None => return 0..0,
            }
        }
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && outer.start < outer.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> ScenarioError {
        *parse(text, Path::new("test.toml")).expect_err("should be rejected")
    }

    #[test]
    fn every_validation_problem_is_reported_not_only_the_first() {
        let text = "[scenario]\nversion = 1\n[committee]\ndeliberation_day = 31\n[behaviour]\nactive_window_days = 0\n";
        let err = error_of(text);
        let keys: Vec<&str> =
            std::iter::once(err.key.as_str()).chain(err.also.iter().map(|e| e.key.as_str())).collect();
        assert!(
            keys.contains(&"committee.deliberation_day") && keys.contains(&"behaviour.active_window_days"),
            "{keys:?}"
        );
        assert_eq!(err.also.len(), 1);
        let shown = err.to_string();
        assert!(shown.contains("1 more problem in this file:") && shown.contains("test.toml:6:"), "{shown}");
    }

    #[test]
    fn minimal_scenario_gets_defaults() {
        let scenario = parse("[scenario]\nversion = 1\n", Path::new("t.toml")).unwrap();
        assert_eq!(scenario, Scenario::default());
    }

    #[test]
    fn a_partial_cohort_table_keeps_that_cohorts_defaults() {
        let scenario =
            parse("[scenario]\nversion = 1\n[cohorts.transient]\nmove_out_rate = 0.6\n", Path::new("t.toml")).unwrap();
        let mut expected = Scenario::default();
        expected.cohorts.transient.move_out_rate = 0.6;
        assert_eq!(scenario, expected);
    }

    #[test]
    fn unknown_key_is_located_and_suggested() {
        let err = error_of("[scenario]\nversion = 1\n[community]\nresidnets = 5\n");
        assert_eq!(err.kind, ErrorKind::UnknownKey);
        assert_eq!(err.key, "community.residnets");
        assert_eq!((err.location.line, err.location.column), (4, 1));
        assert_eq!(err.help.as_deref(), Some("did you mean `residents`?"));
    }

    #[test]
    fn wrong_type_names_key_and_found_text() {
        let err = error_of("[scenario]\nversion = 1\ndays = \"many\"\n");
        assert_eq!(err.kind, ErrorKind::WrongType);
        assert_eq!(err.key, "scenario.days");
        assert_eq!(err.found, "\"many\"");
        assert_eq!((err.location.line, err.location.column), (3, 8));
    }

    #[test]
    fn missing_version_is_reported() {
        let err = error_of("[scenario]\nname = \"x\"\n");
        assert_eq!(err.kind, ErrorKind::MissingKey);
        assert_eq!(err.key, "scenario.version");
    }

    #[test]
    fn validation_problems_point_at_the_value() {
        let err = error_of("[scenario]\nversion = 1\n\n[network]\nmax_degree = 900\n");
        assert_eq!(err.kind, ErrorKind::InvalidValue);
        assert_eq!(err.key, "network.max_degree");
        assert_eq!(err.location.line, 5);
        assert_eq!(err.found, "900");
    }

    #[test]
    fn errors_in_a_later_event_point_at_its_header() {
        let text = "[scenario]\nversion = 1\n[[event]]\nname = \"a\"\nrepeat = \"weekly\"\nweekday = \"monday\"\n\
                    capacity = 1\nappeal = 0.0\n\n[[event]]\nname = \"b\"\nrepeat = \"weekly\"\ncapacity = 1\nappeal = 0.0\n";
        let err = error_of(text);
        assert_eq!(err.key, "event[1].weekday");
        assert_eq!(err.location.line, 10);
    }

    #[test]
    fn missing_scenario_section_is_named_at_the_root() {
        let err = error_of("[community]\nresidents = 5\n");
        assert_eq!(err.key, "scenario");
    }

    #[test]
    fn a_single_bracket_event_explains_double_brackets() {
        let err = error_of("[scenario]\nversion = 1\n[event]\nname = \"a\"\n");
        assert!(err.expected.contains("[[name]]"), "{}", err.expected);
    }

    #[test]
    fn an_impossible_date_literal_names_its_key() {
        let text = "[scenario]\nversion = 1\n\n[[event]]\nname = \"a\"\ndate = 2024-04-30\n\n[[event]]\n\
                    name = \"b\"\n\"date\" = 2024-04-31\n";
        let err = error_of(text);
        assert_eq!(err.key, "event[1].date");
        assert_eq!((err.location.line, err.location.column), (10, 10));
        let err = error_of("[scenario]\nversion = 1\n[[arm]]\nname = \"a\"\n[ arm . policy ]\nx = 2023-02-30\n");
        assert_eq!(err.key, "arm[0].policy.x");
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = error_of("[scenario]\nversion = = 1\n");
        assert_eq!(err.kind, ErrorKind::Syntax);
        assert_eq!(err.location.line, 2);
    }
}
