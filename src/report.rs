//! Instructors' view of a class: `labrun progress export` writes a portable,
//! redacted record of one workspace's progress; `labrun report` reads such
//! records (and workspaces) and shows learners × steps, who is stuck where,
//! and totals.
//!
//! Data flows one way: workspaces or record files → [`load`] → [`Record`]s →
//! [`build`] → [`ClassReport`] → one of the renderers. Everything after
//! [`load`] is pure and deterministic.

use crate::checks::Status;
use crate::fsutil::{self, ReadError, write_atomic};
use crate::lesson::{Lesson, Variable, Vars};
use crate::progress::{self, Condition, Progress, StepProgress};
use crate::workspace::{self, Workspace, WorkspaceError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::io;
use std::path::{Path, PathBuf};

mod identity;
use identity::{Found, one_per_workspace, workspace_owner};
pub use identity::{os_user, workspace_id};

/// The version of the exported record format.
pub const RECORD_SCHEMA: u32 = 1;
/// What a record says it is, to tell it from other JSON files.
pub const RECORD_KIND: &str = "labrun-progress";
/// The version of `render_json`'s output.
pub const REPORT_SCHEMA: u32 = 1;

/// A record larger than this is not a progress record (and is not read).
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// One learner's progress in one lesson, as exported: secrets redacted, no
/// variable values.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Record {
    pub schema: u32,
    /// Always [`RECORD_KIND`].
    pub kind: String,
    pub learner: String,
    /// The lesson slug.
    pub lesson: String,
    /// RFC 3339.
    pub exported_at: String,
    /// The workspace the record is of ([`workspace_id`]): a workspace and its
    /// exports are one learner. Absent from records of older labruns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    /// Every step of the lesson, in lesson order (steps never checked have
    /// no status).
    pub progress: Progress,
}

impl Record {
    fn of_workspace(mut self, state: &workspace::State) -> Record {
        self.workspace_id = Some(workspace_id(state));
        self
    }

    /// Pretty JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a record serializes");
        json.push('\n');
        json
    }

    /// Writes the record to `path` atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        write_atomic(path, self.to_json().as_bytes())
    }

    /// Reads a record from JSON text; the error says why it is not one.
    pub fn parse(text: &str) -> Result<Record, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        let Some(object) = value.as_object() else {
            return Err("not a labrun progress record (JSON, but not an object)".into());
        };
        if object.get("kind").and_then(|k| k.as_str()) != Some(RECORD_KIND) {
            return Err(format!(
                "not a labrun progress record (no \"kind\": \"{RECORD_KIND}\"); \
                 make one with `labrun progress export`"
            ));
        }
        match object.get("schema").and_then(|s| s.as_u64()) {
            Some(s) if s == u64::from(RECORD_SCHEMA) => {}
            Some(s) if s > u64::from(RECORD_SCHEMA) => {
                return Err(format!(
                    "record schema {s} is newer than this labrun reads ({RECORD_SCHEMA}): upgrade labrun"
                ));
            }
            _ => return Err("damaged progress record: no valid \"schema\"".into()),
        }
        let record: Record =
            serde_json::from_value(value).map_err(|e| format!("damaged progress record: {e}"))?;
        if record.progress.schema > progress::SCHEMA {
            return Err(format!(
                "progress schema {} is newer than this labrun reads ({}): upgrade labrun",
                record.progress.schema,
                progress::SCHEMA
            ));
        }
        Ok(record)
    }
}

/// The record of `workspace`'s progress in `lesson`: every lesson step in
/// lesson order, every text redacted of the lesson's secret values (those
/// saved in the workspace and those in the environment). The learner is
/// `learner`, else the OS user (`USER`, `USERNAME`), else "unknown".
pub fn export(
    workspace: &Workspace,
    lesson: &Lesson,
    learner: Option<&str>,
) -> Result<Record, String> {
    let progress = Progress::load(&workspace.progress_path(), &lesson.slug)?;
    let learner = learner
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map_or_else(os_user, str::to_string);
    let saved = &workspace.state.vars;
    let redactors = [
        Vars::resolve(&lesson.variables, &[], |_| None, saved),
        Vars::resolve(&lesson.variables, &[], |k| std::env::var(k).ok(), saved),
    ];
    let redact = |text: &str| redactors.iter().fold(text.to_string(), |t, v| v.redact(&t));
    Ok(make_record(
        &learner,
        &lesson.slug,
        &workspace::now_rfc3339(),
        complete(&progress, lesson),
        &redact,
    )
    .of_workspace(&workspace.state))
}

fn make_record(
    learner: &str,
    lesson: &str,
    exported_at: &str,
    mut progress: Progress,
    redact: &dyn Fn(&str) -> String,
) -> Record {
    progress.lesson = redact(&progress.lesson);
    progress.started_at = progress.started_at.as_deref().map(redact);
    for step in &mut progress.steps {
        step.id = redact(&step.id);
        step.title = redact(&step.title);
        for stamp in [
            &mut step.first_checked_at,
            &mut step.first_passed_at,
            &mut step.last_checked_at,
        ] {
            *stamp = stamp.as_deref().map(redact);
        }
        for condition in &mut step.conditions {
            condition.name = redact(&condition.name);
        }
    }
    Record {
        schema: RECORD_SCHEMA,
        kind: RECORD_KIND.into(),
        learner: redact(learner),
        lesson: redact(lesson),
        exported_at: redact(exported_at),
        workspace_id: None,
        progress,
    }
}

/// `progress` with exactly the lesson's steps, in lesson order: those never
/// checked are added without a status; those the lesson no longer has are
/// dropped.
fn complete(progress: &Progress, lesson: &Lesson) -> Progress {
    let steps = lesson
        .steps
        .iter()
        .map(|s| match progress.step(&s.id) {
            Some(recorded) => StepProgress {
                title: s.title.clone(),
                ..recorded.clone()
            },
            None => StepProgress {
                id: s.id.clone(),
                title: s.title.clone(),
                ..StepProgress::default()
            },
        })
        .collect();
    Progress {
        schema: progress.schema,
        lesson: lesson.slug.clone(),
        started_at: progress.started_at.clone(),
        steps,
        resume: progress.resume,
    }
}

/// What [`load`] found: the records, and each path it could not use with why.
#[derive(Debug, Default)]
pub struct Loaded {
    pub records: Vec<Record>,
    pub skipped: Vec<(PathBuf, String)>,
}

/// Reads records and workspaces. Each path is a record file, a workspace
/// directory, or a class directory: its `*.json` files and its
/// subdirectories that are workspaces (one level deep; hidden entries and
/// other files are ignored). A workspace read directly is its owner's, named
/// as `progress export` names the OS user; a workspace and its exports count
/// once (the most recent progress). A file that is not a record, or a
/// damaged workspace, is skipped with the reason; a file reached twice is
/// read once. Never panics on file content.
pub fn load(paths: &[PathBuf]) -> Loaded {
    let mut loader = Loader::default();
    for path in paths {
        loader.path(path);
    }
    let (records, duplicates) = one_per_workspace(loader.found);
    let mut skipped = loader.skipped;
    skipped.extend(duplicates);
    Loaded { records, skipped }
}

#[derive(Default)]
struct Loader {
    found: Vec<Found>,
    skipped: Vec<(PathBuf, String)>,
    seen: HashSet<PathBuf>,
}

impl Loader {
    fn skip(&mut self, path: &Path, why: impl Into<String>) {
        self.skipped.push((path.to_path_buf(), why.into()));
    }

    fn first_visit(&mut self, path: &Path) -> bool {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.seen.insert(key)
    }

    fn path(&mut self, path: &Path) {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => self.skip(path, "does not exist"),
            Err(e) => self.skip(path, e.to_string()),
            Ok(meta) if meta.is_dir() => {
                if !self.workspace(path) {
                    self.class_dir(path);
                }
            }
            Ok(_) => self.file(path),
        }
    }

    fn class_dir(&mut self, dir: &Path) {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => return self.skip(dir, e.to_string()),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        paths.sort();
        let mut found = false;
        for path in paths {
            if path.is_dir() {
                found |= self.workspace(&path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                found = true;
                self.file(&path);
            }
        }
        if !found {
            self.skip(
                dir,
                "no progress records (*.json) or workspaces in this directory",
            );
        }
    }

    /// Loads `dir` if it is a workspace; false if it is not one.
    fn workspace(&mut self, dir: &Path) -> bool {
        let ws = match workspace::open(dir) {
            Ok(ws) => ws,
            Err(WorkspaceError::NotAWorkspace(_)) => return false,
            Err(WorkspaceError::Damaged { path, message }) => {
                self.skip(&path, message);
                return true;
            }
            Err(e) => {
                self.skip(dir, e.to_string());
                return true;
            }
        };
        if self.first_visit(dir) {
            match from_workspace(&ws) {
                Ok(record) => self.found.push(Found {
                    record,
                    path: dir.to_path_buf(),
                    live: true,
                }),
                Err(why) => self.skip(dir, why),
            }
        }
        true
    }

    fn file(&mut self, path: &Path) {
        if !self.first_visit(path) {
            return;
        }
        match read_record(path) {
            Ok(mut record) => {
                if record.learner.trim().is_empty() {
                    record.learner = path
                        .file_stem()
                        .map_or("unknown".into(), |s| s.to_string_lossy().into_owned());
                }
                self.found.push(Found {
                    record,
                    path: path.to_path_buf(),
                    live: false,
                });
            }
            Err(why) => self.skip(path, why),
        }
    }
}

fn read_record(path: &Path) -> Result<Record, String> {
    let bytes = fsutil::read_limited(path, MAX_RECORD_BYTES).map_err(|e| why_unreadable(&e))?;
    let text = String::from_utf8(bytes).map_err(|_| "not a text file (not UTF-8)".to_string())?;
    Record::parse(&text)
}

/// Why a file could not be read, without its path (the warning names it):
/// a FIFO or a device is refused rather than read forever.
fn why_unreadable(error: &ReadError) -> String {
    match error {
        ReadError::NotFound { .. } => "does not exist".into(),
        ReadError::NotRegular { kind, .. } => format!("not a regular file ({kind})"),
        ReadError::TooLarge { limit, .. } => {
            format!("larger than {limit} bytes: too large for a progress record")
        }
        ReadError::NotText { .. } => "not a text file (not UTF-8)".into(),
        ReadError::Io { source, .. } => source.to_string(),
    }
}

/// A workspace read directly: its owner's (see [`workspace_owner`]),
/// redacted like an export. Without its lesson (moved, deleted) every saved
/// value counts as secret and the steps are those recorded.
fn from_workspace(ws: &Workspace) -> Result<Record, String> {
    let slug = &ws.state.lesson.slug;
    let progress = Progress::load(&ws.progress_path(), slug)?;
    let learner = workspace_owner(ws);
    let (progress, variables) = match workspace_lesson(ws) {
        Some(lesson) => (complete(&progress, &lesson), lesson.variables),
        None => {
            let all_secret = ws
                .state
                .vars
                .keys()
                .map(|name| Variable {
                    name: name.clone(),
                    description: String::new(),
                    default: None,
                    generate: None,
                    secret: true,
                })
                .collect();
            (progress, all_secret)
        }
    };
    let vars = Vars::resolve(&variables, &[], |_| None, &ws.state.vars);
    Ok(
        make_record(&learner, slug, &workspace::now_rfc3339(), progress, &|t| {
            vars.redact(t)
        })
        .of_workspace(&ws.state),
    )
}

fn workspace_lesson(ws: &Workspace) -> Option<Lesson> {
    let slug = &ws.state.lesson.slug;
    let dir = if ws.state.lesson.dir.is_dir() {
        ws.state.lesson.dir.clone()
    } else {
        crate::lesson::bundled::resolve(Some(slug)).ok()?
    };
    Lesson::load(&dir).ok().filter(|l| &l.slug == slug)
}

/// A class's progress, one table per lesson (lessons by slug).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ClassReport {
    pub schema: u32,
    pub lessons: Vec<LessonReport>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct LessonReport {
    pub lesson: String,
    /// In step order: what the records list, merged.
    pub steps: Vec<StepSummary>,
    /// Sorted by name (case-insensitively, then exactly).
    pub learners: Vec<LearnerRow>,
    /// Learners who passed every step.
    pub finished: usize,
    /// In step order: the steps someone is stuck at.
    pub stuck: Vec<StuckAt>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StepSummary {
    pub id: String,
    pub title: String,
    /// Learners who checked it at least once.
    pub started: usize,
    pub passed: usize,
    pub median_seconds_to_pass: Option<u64>,
    /// Among learners not past this step, the condition failing for most.
    pub most_failing: Option<FailingCondition>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct FailingCondition {
    pub name: String,
    /// How many learners it fails for at their last check…
    pub learners: usize,
    /// …of this many who checked the step and have not passed it.
    pub of: usize,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct LearnerRow {
    pub name: String,
    /// Steps passed.
    pub passed: usize,
    /// One per step, in step order.
    pub cells: Vec<Cell>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Cell {
    pub state: CellState,
    pub attempts: u32,
    pub seconds_to_pass: Option<u64>,
    pub hints_shown: u32,
    /// The conditions not passing at the last check (none once passed).
    pub failing: Vec<String>,
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CellState {
    /// Never checked.
    NotStarted,
    /// Passed at some check (even if failing again since).
    Passed,
    /// Checked, never passed; failing at the last check.
    Failing,
    /// Checked, never passed; the last check could not be evaluated.
    Error,
}

/// The learners stuck at a step: it is the first step they checked and have
/// not passed.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StuckAt {
    pub step: String,
    pub title: String,
    pub learners: Vec<StuckLearner>,
    pub most_failing: Option<FailingCondition>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct StuckLearner {
    pub name: String,
    /// Failing or error.
    pub state: CellState,
    pub attempts: u32,
}

/// The class report of `records`: grouped by lesson, learners sorted by name.
pub fn build(records: &[Record]) -> ClassReport {
    let mut by_lesson: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for record in records {
        by_lesson.entry(&record.lesson).or_default().push(record);
    }
    ClassReport {
        schema: REPORT_SCHEMA,
        lessons: by_lesson
            .into_iter()
            .map(|(lesson, records)| build_lesson(lesson, records))
            .collect(),
    }
}

fn build_lesson(lesson: &str, mut records: Vec<&Record>) -> LessonReport {
    records.sort_by(|a, b| {
        (a.learner.to_lowercase(), &a.learner).cmp(&(b.learner.to_lowercase(), &b.learner))
    });
    let columns = step_order(&records);
    let learners: Vec<LearnerRow> = records
        .iter()
        .map(|r| {
            let cells: Vec<Cell> = columns
                .iter()
                .map(|(id, _)| cell(r.progress.steps.iter().find(|s| &s.id == id)))
                .collect();
            LearnerRow {
                name: r.learner.clone(),
                passed: cells
                    .iter()
                    .filter(|c| c.state == CellState::Passed)
                    .count(),
                cells,
            }
        })
        .collect();
    let steps: Vec<StepSummary> = columns
        .iter()
        .enumerate()
        .map(|(i, (id, title))| summarize(id, title, &learners, i))
        .collect();
    let mut stuck: Vec<StuckAt> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let here: Vec<StuckLearner> = learners
            .iter()
            .filter(|l| stuck_at(l) == Some(i))
            .map(|l| StuckLearner {
                name: l.name.clone(),
                state: l.cells[i].state,
                attempts: l.cells[i].attempts,
            })
            .collect();
        if !here.is_empty() {
            stuck.push(StuckAt {
                step: step.id.clone(),
                title: step.title.clone(),
                learners: here,
                most_failing: step.most_failing.clone(),
            });
        }
    }
    LessonReport {
        lesson: lesson.to_string(),
        finished: learners
            .iter()
            .filter(|l| !columns.is_empty() && l.passed == columns.len())
            .count(),
        steps,
        learners,
        stuck,
    }
}

/// The steps of all records, merged in their order: a step one record lacks
/// goes right after the step it follows in another (or before the step it
/// precedes, when it is first).
fn step_order(records: &[&Record]) -> Vec<(String, String)> {
    let mut order: Vec<(String, String)> = Vec::new();
    let position = |order: &[(String, String)], id: &str| order.iter().position(|(o, _)| o == id);
    for record in records {
        let steps = &record.progress.steps;
        let mut after: Option<usize> = None;
        for (j, step) in steps.iter().enumerate() {
            if let Some(i) = position(&order, &step.id) {
                after = Some(i);
                continue;
            }
            let at = after.map(|i| i + 1).unwrap_or_else(|| {
                steps[j + 1..]
                    .iter()
                    .find_map(|later| position(&order, &later.id))
                    .unwrap_or(order.len())
            });
            order.insert(at, (step.id.clone(), step.title.clone()));
            after = Some(at);
        }
    }
    order
}

fn cell(step: Option<&StepProgress>) -> Cell {
    let Some(step) = step else {
        return Cell {
            state: CellState::NotStarted,
            attempts: 0,
            seconds_to_pass: None,
            hints_shown: 0,
            failing: Vec::new(),
        };
    };
    let state = match step.status {
        None => CellState::NotStarted,
        Some(_) if step.first_passed_at.is_some() => CellState::Passed,
        Some(Status::Pass) => CellState::Passed,
        Some(Status::Fail) => CellState::Failing,
        Some(Status::Error) => CellState::Error,
    };
    let failing = match state {
        CellState::Failing | CellState::Error => failing_conditions(&step.conditions),
        _ => Vec::new(),
    };
    Cell {
        state,
        attempts: step.attempts,
        seconds_to_pass: step.seconds_to_pass.filter(|_| state == CellState::Passed),
        hints_shown: step.hints_shown,
        failing,
    }
}

fn failing_conditions(conditions: &[Condition]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for c in conditions.iter().filter(|c| c.status != Status::Pass) {
        if !names.contains(&c.name) {
            names.push(c.name.clone());
        }
    }
    names
}

fn is_stuck(state: CellState) -> bool {
    matches!(state, CellState::Failing | CellState::Error)
}

/// The first step this learner checked and has not passed.
fn stuck_at(learner: &LearnerRow) -> Option<usize> {
    learner.cells.iter().position(|c| is_stuck(c.state))
}

fn summarize(id: &str, title: &str, learners: &[LearnerRow], i: usize) -> StepSummary {
    let cells: Vec<&Cell> = learners.iter().map(|l| &l.cells[i]).collect();
    let mut times: Vec<u64> = cells
        .iter()
        .filter(|c| c.state == CellState::Passed)
        .filter_map(|c| c.seconds_to_pass)
        .collect();
    times.sort_unstable();
    // Each learner not past the step counts a condition once.
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut of = 0;
    for cell in cells.iter().filter(|c| is_stuck(c.state)) {
        of += 1;
        for name in &cell.failing {
            match counts.iter_mut().find(|(n, _)| n == name) {
                Some((_, count)) => *count += 1,
                None => counts.push((name.clone(), 1)),
            }
        }
    }
    let mut most: Option<(String, usize)> = None;
    for (name, count) in counts {
        if most.as_ref().is_none_or(|(_, best)| count > *best) {
            most = Some((name, count));
        }
    }
    StepSummary {
        id: id.to_string(),
        title: title.to_string(),
        started: cells
            .iter()
            .filter(|c| c.state != CellState::NotStarted)
            .count(),
        passed: cells
            .iter()
            .filter(|c| c.state == CellState::Passed)
            .count(),
        median_seconds_to_pass: median(&times),
        most_failing: most.map(|(name, learners)| FailingCondition { name, learners, of }),
    }
}

/// The median of sorted values; the lower-rounded mean of the middle two.
fn median(sorted: &[u64]) -> Option<u64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => {
            let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
            Some(a / 2 + b / 2 + (a % 2 + b % 2) / 2)
        }
    }
}

/// A short duration: `45s`, `12m`, `1h05m`, `2d03h`.
pub fn short_duration(seconds: u64) -> String {
    let (m, h, d) = (seconds / 60, seconds / 3600, seconds / 86_400);
    if seconds < 60 {
        format!("{seconds}s")
    } else if m < 60 {
        format!("{m}m")
    } else if h < 24 {
        format!("{h}h{:02}m", m % 60)
    } else {
        format!("{d}d{:02}h", h % 24)
    }
}

/// A cell as text: `✓ 12m`, `✗ 3` (attempts), `! 3` (error), `·`.
fn cell_text(cell: &Cell) -> String {
    match cell.state {
        CellState::NotStarted => "·".into(),
        CellState::Passed => match cell.seconds_to_pass {
            Some(s) => format!("✓ {}", short_duration(s)),
            None => "✓".into(),
        },
        CellState::Failing => format!("✗ {}", cell.attempts),
        CellState::Error => format!("! {}", cell.attempts),
    }
}

fn stuck_text(learner: &StuckLearner) -> String {
    let symbol = if learner.state == CellState::Error {
        '!'
    } else {
        '✗'
    };
    format!("{symbol} {}", learner.attempts)
}

/// Text from files, safe for a terminal: control characters replaced.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// Columns a text takes on a terminal (wide characters count two).
fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// Paints text for a terminal, or leaves it plain.
struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn cell(&self, state: CellState, text: &str) -> String {
        match state {
            CellState::NotStarted => self.code("2", text),
            CellState::Passed => self.code("32", text),
            CellState::Failing => self.code("31", text),
            CellState::Error => self.code("33", text),
        }
    }
}

/// A row of (plain, painted) cells padded to `widths` by their plain text.
fn table_row(cells: &[(String, String)], widths: &[usize]) -> String {
    let mut line = String::new();
    for (i, ((plain, painted), w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(painted);
        if i + 1 < cells.len() {
            line.push_str(&" ".repeat(w.saturating_sub(width(plain))));
        }
    }
    line.trim_end().to_string()
}

fn learners_phrase(n: usize) -> String {
    if n == 1 {
        "1 learner".into()
    } else {
        format!("{n} learners")
    }
}

fn failing_phrase(f: &FailingCondition) -> String {
    format!("“{}” ({} of {})", clean(&f.name), f.learners, f.of)
}

/// The report for a terminal: per lesson, the table, totals and who is stuck.
pub fn render_human(r: &ClassReport, color: bool) -> String {
    let paint = Paint(color);
    if r.lessons.is_empty() {
        return "No progress records.\n".into();
    }
    let mut out = String::new();
    for (n, lesson) in r.lessons.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{} — {}, {} finished\n",
            paint.code("1", &clean(&lesson.lesson)),
            learners_phrase(lesson.learners.len()),
            lesson.finished
        );
        let plain = |s: String| (s.clone(), s);
        let bold = |s: String| (s.clone(), paint.code("1", &s));
        let mut rows: Vec<Vec<(String, String)>> = Vec::new();
        let mut header = vec![bold("LEARNER".into())];
        header.extend(lesson.steps.iter().map(|s| bold(clean(&s.id))));
        header.push(bold("PASSED".into()));
        rows.push(header);
        for learner in &lesson.learners {
            let mut row = vec![plain(clean(&learner.name))];
            row.extend(learner.cells.iter().map(|c| {
                let text = cell_text(c);
                (text.clone(), paint.cell(c.state, &text))
            }));
            row.push(plain(format!("{}/{}", learner.passed, lesson.steps.len())));
            rows.push(row);
        }
        let total = lesson.learners.len();
        let mut passed = vec![bold("passed".into())];
        passed.extend(
            lesson
                .steps
                .iter()
                .map(|s| plain(format!("{}/{total}", s.passed))),
        );
        rows.push(passed);
        let mut median = vec![bold("median".into())];
        median.extend(
            lesson
                .steps
                .iter()
                .map(|s| plain(s.median_seconds_to_pass.map_or("-".into(), short_duration))),
        );
        rows.push(median);
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                rows.iter()
                    .filter_map(|row| row.get(i))
                    .map(|(p, _)| width(p))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &rows {
            let _ = writeln!(out, "{}", table_row(row, &widths));
        }
        out.push('\n');
        if lesson.stuck.is_empty() {
            let _ = writeln!(out, "{} nobody", paint.code("1", "Stuck:"));
            continue;
        }
        let _ = writeln!(out, "{}", paint.code("1", "Stuck:"));
        for at in &lesson.stuck {
            let who: Vec<String> = at
                .learners
                .iter()
                .map(|l| {
                    let text = stuck_text(l);
                    format!("{} ({})", clean(&l.name), paint.cell(l.state, &text))
                })
                .collect();
            let _ = writeln!(out, "  {}: {}", clean(&at.step), who.join(", "));
            if let Some(f) = &at.most_failing {
                let _ = writeln!(out, "    most often failing: {}", failing_phrase(f));
            }
        }
    }
    out
}

/// Markdown text, escaped so that names render as written.
fn md(text: &str) -> String {
    let mut out = String::new();
    for c in clean(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The report as Markdown: per lesson a heading, a table and who is stuck.
pub fn render_markdown(r: &ClassReport) -> String {
    if r.lessons.is_empty() {
        return "No progress records.\n".into();
    }
    let mut out = String::new();
    for (n, lesson) in r.lessons.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "## {}\n\n{}, {} finished.\n",
            md(&lesson.lesson),
            learners_phrase(lesson.learners.len()),
            lesson.finished
        );
        let mut header = vec!["Learner".to_string()];
        header.extend(lesson.steps.iter().map(|s| md(&s.id)));
        header.push("Passed".into());
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
        for learner in &lesson.learners {
            let mut row = vec![md(&learner.name)];
            row.extend(learner.cells.iter().map(cell_text));
            row.push(format!("{}/{}", learner.passed, lesson.steps.len()));
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        let total = lesson.learners.len();
        let mut passed = vec!["**passed**".to_string()];
        passed.extend(lesson.steps.iter().map(|s| format!("{}/{total}", s.passed)));
        passed.push(String::new());
        let _ = writeln!(out, "| {} |", passed.join(" | "));
        let mut median = vec!["**median**".to_string()];
        median.extend(
            lesson
                .steps
                .iter()
                .map(|s| s.median_seconds_to_pass.map_or("-".into(), short_duration)),
        );
        median.push(String::new());
        let _ = writeln!(out, "| {} |", median.join(" | "));
        out.push('\n');
        if lesson.stuck.is_empty() {
            out.push_str("**Stuck:** nobody\n");
            continue;
        }
        out.push_str("**Stuck:**\n\n");
        for at in &lesson.stuck {
            let who: Vec<String> = at
                .learners
                .iter()
                .map(|l| format!("{} ({})", md(&l.name), stuck_text(l)))
                .collect();
            let _ = write!(out, "- {}: {}", md(&at.step), who.join(", "));
            if let Some(f) = &at.most_failing {
                let _ = write!(
                    out,
                    " — most often failing: “{}” ({} of {})",
                    md(&f.name),
                    f.learners,
                    f.of
                );
            }
            out.push('\n');
        }
    }
    out
}

/// One CSV field, quoted per RFC 4180 when it needs to be. A field that a
/// spreadsheet would take for a formula (`= + - @`, tab, CR first) gets a
/// leading `'` (OWASP's rule against CSV injection): names and conditions
/// come from learners and lessons.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The report as CSV, one row per learner and step (lessons, then learners
/// by name, then steps in order); `status` is `passed`, `failing`, `error`
/// or `not-started`; `failing_conditions` are joined by `; `.
pub fn render_csv(r: &ClassReport) -> String {
    let mut out = String::from(
        "lesson,learner,step,title,status,attempts,seconds_to_pass,hints_shown,failing_conditions\n",
    );
    for lesson in &r.lessons {
        for learner in &lesson.learners {
            for (step, cell) in lesson.steps.iter().zip(&learner.cells) {
                let status = match cell.state {
                    CellState::NotStarted => "not-started",
                    CellState::Passed => "passed",
                    CellState::Failing => "failing",
                    CellState::Error => "error",
                };
                let fields = [
                    lesson.lesson.clone(),
                    learner.name.clone(),
                    step.id.clone(),
                    step.title.clone(),
                    status.to_string(),
                    cell.attempts.to_string(),
                    cell.seconds_to_pass
                        .map_or(String::new(), |s| s.to_string()),
                    cell.hints_shown.to_string(),
                    cell.failing.join("; "),
                ];
                let fields: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                let _ = writeln!(out, "{}", fields.join(","));
            }
        }
    }
    out
}

/// The report as pretty JSON (see [`ClassReport`]), ending in a newline.
pub fn render_json(r: &ClassReport) -> String {
    let mut json = serde_json::to_string_pretty(r).expect("a report serializes");
    json.push('\n');
    json
}

/// The warnings for skipped paths, one line each: `warning: skipped PATH: WHY`.
pub fn render_skipped(skipped: &[(PathBuf, String)]) -> String {
    skipped
        .iter()
        .map(|(path, why)| format!("warning: skipped {}: {}\n", path.display(), clean(why)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(name: &str, status: Status) -> Condition {
        Condition {
            name: name.into(),
            status,
        }
    }

    /// A step: `None` never checked; else the status, attempts, seconds to
    /// pass and the last check's conditions.
    fn step(
        id: &str,
        status: Option<Status>,
        attempts: u32,
        seconds: Option<u64>,
        conditions: Vec<Condition>,
    ) -> StepProgress {
        let stamp = status.map(|_| "2026-01-05T09:00:00Z".to_string());
        StepProgress {
            id: id.into(),
            title: format!("Do {id}, carefully"),
            status,
            attempts,
            first_checked_at: stamp.clone(),
            first_passed_at: seconds.map(|_| "2026-01-05T09:10:00Z".into()),
            seconds_to_pass: seconds,
            seconds_spent: seconds.unwrap_or(0),
            last_checked_at: stamp,
            hints_shown: 0,
            conditions,
        }
    }

    fn record(learner: &str, lesson: &str, steps: Vec<StepProgress>) -> Record {
        Record {
            schema: RECORD_SCHEMA,
            kind: RECORD_KIND.into(),
            learner: learner.into(),
            lesson: lesson.into(),
            exported_at: "2026-01-05T10:00:00Z".into(),
            workspace_id: None,
            progress: Progress {
                schema: progress::SCHEMA,
                lesson: lesson.into(),
                started_at: None,
                steps,
                resume: None,
            },
        }
    }

    fn passed(id: &str, seconds: u64) -> StepProgress {
        step(
            id,
            Some(Status::Pass),
            2,
            Some(seconds),
            vec![cond("ok", Status::Pass)],
        )
    }

    fn failing(id: &str, attempts: u32, conditions: Vec<Condition>) -> StepProgress {
        step(id, Some(Status::Fail), attempts, None, conditions)
    }

    fn not_started(id: &str) -> StepProgress {
        step(id, None, 0, None, vec![])
    }

    /// Four learners: done, stuck at `two`, not started, stuck at `one`
    /// (given out of order).
    fn class() -> Vec<Record> {
        use Status::{Fail, Pass};
        vec![
            record(
                "dave",
                "demo",
                vec![
                    failing("one", 3, vec![cond("o1", Fail), cond("o2", Pass)]),
                    failing("two", 3, vec![cond("c-a", Fail), cond("c-b", Fail)]),
                    failing("three", 3, vec![cond("x", Fail)]),
                ],
            ),
            record(
                "alice",
                "demo",
                vec![passed("one", 720), passed("two", 180), passed("three", 45)],
            ),
            record(
                "carol",
                "demo",
                vec![not_started("one"), not_started("two"), not_started("three")],
            ),
            record(
                "bob",
                "demo",
                vec![
                    passed("one", 300),
                    failing("two", 5, vec![cond("c-a", Fail), cond("c-b", Pass)]),
                    failing("three", 5, vec![cond("x", Fail)]),
                ],
            ),
        ]
    }

    #[test]
    fn human_table_totals_and_stuck() {
        let report = build(&class());
        assert_eq!(
            render_human(&report, false),
            "\
demo — 4 learners, 1 finished

LEARNER  one    two   three  PASSED
alice    ✓ 12m  ✓ 3m  ✓ 45s  3/3
bob      ✓ 5m   ✗ 5   ✗ 5    1/3
carol    ·      ·     ·      0/3
dave     ✗ 3    ✗ 3   ✗ 3    0/3
passed   2/4    1/4   1/4
median   8m     3m    45s

Stuck:
  one: dave (✗ 3)
    most often failing: “o1” (1 of 1)
  two: bob (✗ 5)
    most often failing: “c-a” (2 of 2)
"
        );
    }

    #[test]
    fn csv_has_a_row_per_learner_and_step_quoted_per_rfc_4180() {
        let mut records = class();
        records.truncate(2);
        records[1].learner = "alice \"ace\" smith".into();
        assert_eq!(
            render_csv(&build(&records)),
            "\
lesson,learner,step,title,status,attempts,seconds_to_pass,hints_shown,failing_conditions
demo,\"alice \"\"ace\"\" smith\",one,\"Do one, carefully\",passed,2,720,0,
demo,\"alice \"\"ace\"\" smith\",two,\"Do two, carefully\",passed,2,180,0,
demo,\"alice \"\"ace\"\" smith\",three,\"Do three, carefully\",passed,2,45,0,
demo,dave,one,\"Do one, carefully\",failing,3,,0,o1
demo,dave,two,\"Do two, carefully\",failing,3,,0,c-a; c-b
demo,dave,three,\"Do three, carefully\",failing,3,,0,x
"
        );
    }

    #[test]
    fn markdown_table_escapes_names() {
        let mut records = class();
        records.truncate(2);
        records[0].learner = "d|a_ve".into();
        assert_eq!(
            render_markdown(&build(&records)),
            "\
## demo

2 learners, 1 finished.

| Learner | one | two | three | Passed |
|---|---|---|---|---|
| alice | ✓ 12m | ✓ 3m | ✓ 45s | 3/3 |
| d\\|a\\_ve | ✗ 3 | ✗ 3 | ✗ 3 | 0/3 |
| **passed** | 1/2 | 1/2 | 1/2 |  |
| **median** | 12m | 3m | 45s |  |

**Stuck:**

- one: d\\|a\\_ve (✗ 3) — most often failing: “o1” (1 of 1)
"
        );
    }

    #[test]
    fn json_report_has_cells_and_totals() {
        let json: serde_json::Value = serde_json::from_str(&render_json(&build(&class()))).unwrap();
        assert_eq!(json["schema"], 1);
        let lesson = &json["lessons"][0];
        assert_eq!(lesson["lesson"], "demo");
        assert_eq!(lesson["finished"], 1);
        assert_eq!(lesson["learners"][1]["name"], "bob");
        assert_eq!(lesson["learners"][1]["cells"][1]["state"], "failing");
        assert_eq!(lesson["learners"][2]["cells"][0]["state"], "not-started");
        assert_eq!(lesson["steps"][0]["median_seconds_to_pass"], 510);
        assert_eq!(lesson["steps"][1]["most_failing"]["name"], "c-a");
        assert_eq!(lesson["stuck"][1]["learners"][0]["attempts"], 5);
    }

    #[test]
    fn colors_only_when_asked() {
        let report = build(&class());
        assert!(!render_human(&report, false).contains('\x1b'));
        let colored = render_human(&report, true);
        assert!(colored.contains("\x1b[32m✓ 12m\x1b[0m"), "{colored}");
        assert!(colored.contains("\x1b[31m✗ 3\x1b[0m"), "{colored}");
        // Padding follows the visible text, not the escape codes.
        let plain: Vec<usize> = render_human(&report, false)
            .lines()
            .map(|l| l.chars().count())
            .collect();
        let stripped: Vec<usize> = colored
            .lines()
            .map(|l| {
                let mut out = String::new();
                let mut rest = l;
                while let Some(at) = rest.find('\x1b') {
                    out.push_str(&rest[..at]);
                    rest = &rest[at + rest[at..].find('m').unwrap() + 1..];
                }
                out.push_str(rest);
                out.chars().count()
            })
            .collect();
        assert_eq!(plain, stripped);
    }

    #[test]
    fn lessons_are_reported_apart_and_steps_merge_in_order() {
        let records = vec![
            record("zed", "beta", vec![passed("b1", 61)]),
            record("amy", "alpha", vec![not_started("a1"), not_started("a3")]),
            record("Bea", "alpha", vec![not_started("a2"), not_started("a3")]),
            record("bea", "alpha", vec![not_started("a0"), not_started("a1")]),
        ];
        let report = build(&records);
        let lessons: Vec<&str> = report.lessons.iter().map(|l| l.lesson.as_str()).collect();
        assert_eq!(lessons, ["alpha", "beta"]);
        let alpha = &report.lessons[0];
        let ids: Vec<&str> = alpha.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a0", "a1", "a2", "a3"]);
        let names: Vec<&str> = alpha.learners.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["amy", "Bea", "bea"]);
        // A step missing from a record is not started.
        assert_eq!(alpha.learners[0].cells[0].state, CellState::NotStarted);
        assert_eq!(alpha.finished, 0);
        let text = render_human(&report, false);
        assert!(text.contains("alpha — 3 learners, 0 finished"), "{text}");
        assert!(text.contains("\nbeta — 1 learner, 1 finished"), "{text}");
        assert!(text.contains("Stuck: nobody"), "{text}");
    }

    #[test]
    fn a_pass_counts_even_if_failing_again_and_errors_show_apart() {
        let mut regressed = passed("one", 60);
        regressed.status = Some(Status::Fail);
        let broken = step(
            "two",
            Some(Status::Error),
            4,
            None,
            vec![cond("api", Status::Error)],
        );
        let report = build(&[record("ann", "demo", vec![regressed, broken])]);
        let text = render_human(&report, false);
        assert!(text.contains("ann      ✓ 1m  ! 4  1/2"), "{text}");
        assert!(text.contains("two: ann (! 4)"), "{text}");
        assert!(text.contains("“api” (1 of 1)"), "{text}");
    }

    #[test]
    fn terminal_output_has_no_control_characters_from_files() {
        let report = build(&[record("\x1b[2Jmallory\n", "demo", vec![passed("s", 1)])]);
        let text = render_human(&report, false);
        assert!(!text.contains('\x1b') && text.contains("\u{fffd}[2Jmallory\u{fffd}"));
        assert!(!render_markdown(&report).contains('\x1b'));
    }

    #[test]
    fn empty_class() {
        let report = build(&[]);
        assert_eq!(render_human(&report, true), "No progress records.\n");
        assert_eq!(render_markdown(&report), "No progress records.\n");
        assert_eq!(render_csv(&report).lines().count(), 1);
        assert!(render_json(&report).contains("\"lessons\": []"));
    }

    #[test]
    fn durations_and_medians() {
        let cases = [
            (0, "0s"),
            (59, "59s"),
            (60, "1m"),
            (3599, "59m"),
            (3900, "1h05m"),
            (86_400 + 3 * 3600, "1d03h"),
        ];
        for (seconds, text) in cases {
            assert_eq!(short_duration(seconds), text);
        }
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[1, 2, 9]), Some(2));
        assert_eq!(median(&[3, 8]), Some(5));
        assert_eq!(median(&[u64::MAX, u64::MAX]), Some(u64::MAX));
    }

    #[test]
    fn parse_names_what_is_wrong() {
        let good = record("ann", "demo", vec![passed("s", 1)]);
        assert_eq!(Record::parse(&good.to_json()).unwrap(), good);
        let err = |text: &str| Record::parse(text).unwrap_err();
        assert!(err("{not json").starts_with("not valid JSON"));
        assert!(err("[1]").contains("not an object"));
        assert!(err(r#"{"hello":1}"#).starts_with("not a labrun progress record"));
        assert!(err(r#"{"kind":"labrun-progress","schema":9}"#).contains("upgrade labrun"));
        assert!(err(r#"{"kind":"labrun-progress","schema":"1"}"#).contains("schema"));
        assert!(
            err(r#"{"kind":"labrun-progress","schema":1,"learner":3}"#)
                .starts_with("damaged progress record")
        );
        let mut newer = good.clone();
        newer.progress.schema = progress::SCHEMA + 1;
        assert!(err(&newer.to_json()).contains("progress schema"));
    }

    #[test]
    fn a_record_is_redacted_everywhere() {
        let mut p = Progress::new("demo");
        p.started_at = Some("s3cret-at".into());
        let mut s = failing("s3cret", 1, vec![cond("token is s3cret", Status::Fail)]);
        s.title = "use s3cret".into();
        p.steps.push(s);
        let record = make_record("s3cret-learner", "demo", "now", p, &|t: &str| {
            t.replace("s3cret", "[hidden]")
        });
        let json = record.to_json();
        assert!(!json.contains("s3cret"), "{json}");
        assert!(json.contains("token is [hidden]"), "{json}");
        assert_eq!(record.learner, "[hidden]-learner");
    }

    #[test]
    fn load_survives_any_file_content() {
        let dir = tempfile::tempdir().unwrap();
        let mut odd = record("", "demo", vec![passed("s", u64::MAX), passed("s", 1)]);
        odd.progress.steps[0].attempts = u32::MAX;
        let odd = odd.to_json();
        let files: [(&str, &[u8]); 8] = [
            ("empty.json", b""),
            ("null.json", b"null"),
            ("deep.json", &[b'['; 100_000]),
            ("binary.json", &[0xff, 0xfe, 0x00, 0x7b]),
            ("string.json", br#""labrun-progress""#),
            ("kind-only.json", br#"{"kind":"labrun-progress"}"#),
            (
                "huge-schema.json",
                br#"{"kind":"labrun-progress","schema":1e400}"#,
            ),
            ("odd.json", odd.as_bytes()),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let loaded = load(&[dir.path().to_path_buf()]);
        assert_eq!(loaded.skipped.len(), 7, "{:?}", loaded.skipped);
        // A record without a learner is named after its file.
        assert_eq!(loaded.records[0].learner, "odd");
        let report = build(&loaded.records);
        let text = render_human(&report, false);
        assert!(
            text.contains("odd      ✓ 213503982334601d07h  1/1"),
            "{text}"
        );
        for text in [
            render_markdown(&report),
            render_csv(&report),
            render_json(&report),
        ] {
            assert!(text.contains("odd"));
        }
    }
}
