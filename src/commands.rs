//! What each command does: load the lesson and workspace, run, print, and
//! answer with an exit code (0 all good, 1 checks failed, 2 usage or lesson error).

use crate::checks::{self, Status, StepReport};
use crate::cli::{Cli, Command, Format, ProgressAction, ProgressFormat, ReportFormat, VarArgs};
use crate::lesson::lint::{self, Severity};
use crate::lesson::vars::{MissingVar, WeakSecret};
use crate::lesson::{CheckSpec, Lesson, LessonError, Step, Vars, bundled, vars};
use crate::output::{self, Painter, terminal_safe};
use crate::progress::Progress;
use crate::script::{self, Script};
use crate::session::{ApiMode, Session, SessionError};
use crate::workspace::{self, Workspace, WorkspaceError};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// A reason to stop with exit status 2, already worded for the user.
#[derive(Debug)]
pub struct Fatal(pub String);

macro_rules! fatal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Fatal {
            fn from(e: $t) -> Self {
                Fatal(e.to_string())
            }
        }
    )*};
}
fatal_from!(
    LessonError,
    WorkspaceError,
    MissingVar,
    WeakSecret,
    SessionError,
    std::io::Error
);

mod setup;
mod start;

use setup::{init, reset};
use start::start;

pub const SUCCESS: u8 = 0;
pub const CHECKS_FAILED: u8 = 1;
pub const USAGE_ERROR: u8 = 2;

/// A solution step may install or package; it must still end.
const SOLUTION_TIMEOUT: Duration = Duration::from_secs(300);

pub fn run(cli: Cli) -> ExitCode {
    let secrets = crate::command_secrets::CommandSecrets::of(&cli.command);
    let result = match cli.command {
        Command::Start {
            lesson,
            workspace,
            vars,
        } => start(lesson.as_deref(), workspace.as_deref(), &vars),
        Command::Init { args, force } => init(&args, force),
        Command::Reset {
            workspace,
            step,
            yes,
        } => reset(workspace.workspace.as_deref(), step.as_deref(), yes),
        Command::Check {
            lesson,
            workspace,
            step,
            vars,
            format,
        } => check(
            lesson.as_deref(),
            workspace.workspace.as_deref(),
            step.as_deref(),
            &vars,
            format,
        ),
        Command::Lint { lesson } => lint(lesson.as_deref()),
        Command::Test {
            lessons,
            junit,
            format,
            keep,
        } => test(&lessons, junit.as_deref(), format, keep),
        Command::Progress {
            action:
                Some(ProgressAction::Export {
                    workspace,
                    output,
                    learner,
                }),
            ..
        } => export(
            workspace.workspace.as_deref(),
            output.as_deref(),
            learner.as_deref(),
        ),
        Command::Progress {
            workspace, format, ..
        } => progress(workspace.workspace.as_deref(), format),
        Command::Report { paths, format } => report(&paths, format),
        Command::Hint { step, workspace } => hint(&step, workspace.workspace.as_deref()),
        Command::Solve {
            workspace,
            step,
            vars,
        } => solve(workspace.workspace.as_deref(), step.as_deref(), &vars),
        Command::Show {
            lesson,
            workspace,
            vars,
            reveal,
        } => show(lesson.as_deref(), workspace.as_deref(), &vars, reveal),
        Command::Sandbox {
            listen,
            state,
            app,
            token,
            workspace,
        } => sandbox(listen, state, app, token, workspace.as_deref()),
        Command::Replicated { args } => Ok(crate::standins::replicated::run(&args) as u8),
        Command::Helm { args } => Ok(crate::standins::helm::run(&args) as u8),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Fatal(message)) => {
            // An error can quote anything, a secret too.
            eprintln!("labrun: {}", terminal_safe(&secrets.redact(&message)));
            ExitCode::from(USAGE_ERROR)
        }
    }
}

/// The workspace a command works on: the one named with `-w`, else the one
/// holding the current directory (as git finds its repository).
fn workspace_dir(named: Option<&Path>) -> Result<PathBuf, Fatal> {
    match named {
        Some(dir) => Ok(dir.to_path_buf()),
        None => {
            let here = std::env::current_dir()?;
            if let Some(found) = workspace::find(&here) {
                return Ok(found);
            }
            // Beside the workspace `labrun start` made: say where it is.
            let mut message = WorkspaceError::NoneHere(here.clone()).to_string();
            let children = std::fs::read_dir(&here).into_iter().flatten().flatten();
            let beside: Vec<String> = children
                .filter(|e| workspace::is_workspace(&e.path()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            if let [one] = beside.as_slice() {
                message.push_str(&format!(
                    "\nThe workspace here is {one}/: `cd {}` first, or pass -w {}",
                    shell_word(one),
                    shell_word(one)
                ));
            }
            Err(Fatal(message))
        }
    }
}

/// The workspace (see [`workspace_dir`]) and its lesson: the one named,
/// else the one it was made from.
fn open(lesson_arg: Option<&str>, dir: Option<&Path>) -> Result<(Workspace, Lesson), Fatal> {
    let dir = &workspace_dir(dir)?;
    let workspace = workspace::open(dir)?;
    let made_from = &workspace.state.lesson;
    let lesson_dir = match lesson_arg {
        Some(arg) => bundled::resolve(Some(arg))?,
        // A built-in lesson is this labrun's own copy, whichever built the workspace.
        None if made_from.built_in => bundled::resolve(Some(&made_from.slug)).or_else(|e| {
            made_from
                .dir
                .is_dir()
                .then(|| made_from.dir.clone())
                .ok_or(e)
        })?,
        None if made_from.dir.is_dir() => made_from.dir.clone(),
        // The lesson moved (a new clone, an upgraded labrun): find it by slug.
        None => bundled::resolve(Some(&made_from.slug))?,
    };
    let lesson = Lesson::load(&lesson_dir)?;
    if lesson.slug != workspace.state.lesson.slug {
        return Err(Fatal(format!(
            "{} is a workspace of lesson {:?}, not {:?}",
            dir.display(),
            workspace.state.lesson.slug,
            lesson.slug
        )));
    }
    Ok((workspace, lesson))
}

/// The lesson's variables; a secret too short to be redacted is refused.
fn resolve_vars(
    lesson: &Lesson,
    workspace: Option<&Workspace>,
    args: &VarArgs,
) -> Result<Vars, Fatal> {
    let saved = workspace.map(|w| w.state.vars.clone()).unwrap_or_default();
    let vars = Vars::resolve(
        &lesson.variables,
        &args.vars,
        |k| std::env::var(k).ok(),
        &saved,
    );
    vars.check_secrets()?;
    Ok(vars)
}

/// The steps named on the command line: a step id, or its number as the
/// lab's checklist shows it (1-based); every step when none is named.
fn select_steps<'a>(lesson: &'a Lesson, id: Option<&str>) -> Result<Vec<&'a Step>, Fatal> {
    let Some(id) = id else {
        return Ok(lesson.steps.iter().collect());
    };
    let by_number = || {
        let n: usize = id.trim().parse().ok()?;
        lesson.steps.get(n.checked_sub(1)?)
    };
    lesson
        .step(id)
        .or_else(by_number)
        .map(|s| vec![s])
        .ok_or_else(|| {
            let ids: Vec<&str> = lesson.steps.iter().map(|s| s.id.as_str()).collect();
            Fatal(format!(
                "no step {id:?} in this lesson; its steps are: {} (or their numbers, 1 to {})",
                ids.join(", "),
                ids.len()
            ))
        })
}

/// Every variable the checks of `steps` use must have a value before any runs.
fn require_vars(steps: &[&Step], vars: &Vars) -> Result<(), MissingVar> {
    let checks = steps
        .iter()
        .flat_map(|s| &s.checks)
        .flat_map(CheckSpec::with_inner);
    for text in checks.flat_map(|c| c.templated_strings()) {
        if let Some(r) = vars::manifest_refs(text)
            .into_iter()
            .find(|r| vars.get(&r.name).is_none())
        {
            return Err(MissingVar(r.name));
        }
    }
    Ok(())
}

fn check(
    lesson_arg: Option<&str>,
    dir: Option<&Path>,
    step: Option<&str>,
    args: &VarArgs,
    format: Format,
) -> Result<u8, Fatal> {
    let (workspace, lesson) = open(lesson_arg, dir)?;
    let vars = resolve_vars(&lesson, Some(&workspace), args)?;
    let steps = select_steps(&lesson, step)?;
    require_vars(&steps, &vars)?;
    let session = Session::open(&lesson, &workspace, vars, api_mode(args))?;
    let ctx = session.context(&lesson, &workspace);
    let reports: Vec<StepReport> = steps.iter().map(|s| checks::run_step(s, &ctx)).collect();
    let text = match format {
        Format::Human => output::human(lesson.title(), &reports, Painter::for_stdout()),
        Format::Json => output::json(&lesson.slug, &reports),
        Format::Junit => output::check::junit(&lesson.slug, &reports),
    };
    // Outcomes are redacted already; this catches a secret in its JSON or XML shape.
    print!("{}", session.vars.redact(&text));
    // The results are shown whatever happens to the progress file.
    if let Err(Fatal(why)) = record_progress(&workspace, &lesson, &reports) {
        eprintln!(
            "labrun: warning: progress not recorded: {}",
            session.vars.redact(&why)
        );
    }
    let all_pass = reports.iter().all(|r| r.status == Status::Pass);
    Ok(if all_pass { SUCCESS } else { CHECKS_FAILED })
}

fn api_mode(args: &VarArgs) -> ApiMode {
    if args.online {
        ApiMode::Online
    } else {
        ApiMode::Offline
    }
}

fn record_progress(
    workspace: &Workspace,
    lesson: &Lesson,
    reports: &[StepReport],
) -> Result<(), Fatal> {
    let now = SystemTime::now();
    Progress::update(&workspace.progress_path(), &lesson.slug, |p| {
        p.record(reports, now, true);
    })
    .map_err(|e| Fatal(e.to_string()))?;
    Ok(())
}

fn lint(lesson_arg: Option<&str>) -> Result<u8, Fatal> {
    let lesson = Lesson::load(&bundled::resolve(lesson_arg)?)?;
    let findings = lint::lint(&lesson);
    for finding in &findings {
        eprintln!("{finding}");
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    println!(
        "{}: {errors} error(s), {warnings} warning(s)",
        lesson.dir.display()
    );
    Ok(if errors == 0 { SUCCESS } else { CHECKS_FAILED })
}

fn progress(dir: Option<&Path>, format: ProgressFormat) -> Result<u8, Fatal> {
    let (workspace, lesson) = open(None, dir)?;
    let progress = Progress::load(&workspace.progress_path(), &lesson.slug)
        .map_err(|e| Fatal(e.to_string()))?;
    match format {
        ProgressFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&progress).expect("serializes")
        ),
        ProgressFormat::Human => print!("{}", output::progress_table(&lesson, &progress)),
    }
    Ok(SUCCESS)
}

fn hint(id: &str, dir: Option<&Path>) -> Result<u8, Fatal> {
    let (workspace, lesson) = open(None, dir)?;
    let step = select_steps(&lesson, Some(id))?[0];
    let vars = resolve_vars(
        &lesson,
        Some(&workspace),
        &VarArgs {
            vars: vec![],
            online: false,
        },
    )?;
    let hint = vars
        .expand(step.hint.trim())
        .unwrap_or_else(|_| step.hint.trim().to_string());
    let text = if hint.is_empty() {
        "This step has no hint."
    } else {
        &hint
    };
    println!(
        "{}: {}\n\n{}",
        step.id,
        terminal_safe(&vars.redact(&step.title)),
        terminal_safe(&vars.redact(text))
    );
    Progress::update(&workspace.progress_path(), &lesson.slug, |p| {
        p.record_hint(&step.id, &step.title);
    })
    .map_err(|e| Fatal(e.to_string()))?;
    Ok(SUCCESS)
}

fn solve(dir: Option<&Path>, step: Option<&str>, args: &VarArgs) -> Result<u8, Fatal> {
    let (workspace, lesson) = open(None, dir)?;
    let vars = resolve_vars(&lesson, Some(&workspace), args)?;
    let session = Session::open(&lesson, &workspace, vars, api_mode(args))?;
    let vars = &session.vars;
    for step in select_steps(&lesson, step)? {
        println!("── solving {}: {}", step.id, step.title);
        let finished = script::run(&Script {
            source: &step.solution,
            dir: &workspace.root,
            env: session.shell_env(),
            extra_path: session.extra_path.as_deref(),
            timeout: SOLUTION_TIMEOUT,
            errexit: true,
        })?;
        print!("{}", vars.redact(&finished.output));
        if !finished.success() {
            eprintln!(
                "labrun: the solution of step {:?} {}",
                step.id,
                finished.describe(SOLUTION_TIMEOUT)
            );
            return Ok(CHECKS_FAILED);
        }
    }
    Ok(SUCCESS)
}

fn show(
    lesson_arg: Option<&str>,
    dir: Option<&Path>,
    args: &VarArgs,
    reveal: bool,
) -> Result<u8, Fatal> {
    let (workspace, lesson) = match dir {
        Some(dir) => {
            let (w, l) = open(lesson_arg, Some(dir))?;
            (Some(w), l)
        }
        None => show_lesson_here(lesson_arg)?,
    };
    let vars = resolve_vars(&lesson, workspace.as_ref(), args)?;
    // Secrets are masked where the text names them, and hidden wherever
    // else they turn up (inside another variable's value), unless revealed.
    let shown = |text: &str| {
        let text = if reveal {
            text.to_string()
        } else {
            vars.redact(text)
        };
        terminal_safe(&text).into_owned()
    };
    println!("# {}\n", shown(lesson.title()));
    if let Some(teaser) = &lesson.challenge.front.teaser {
        println!("{}\n", shown(teaser));
    }
    print!("{}", shown(&vars.render(&lesson.challenge.body, reveal)));
    Ok(SUCCESS)
}

/// `show` without `-w`: inside a workspace, its lesson with its values
/// (unless another lesson is named); elsewhere the lesson alone.
fn show_lesson_here(lesson_arg: Option<&str>) -> Result<(Option<Workspace>, Lesson), Fatal> {
    if let Some(root) = workspace::find(&std::env::current_dir()?) {
        let (workspace, own_lesson) = open(None, Some(&root))?;
        let Some(arg) = lesson_arg else {
            return Ok((Some(workspace), own_lesson));
        };
        let lesson = Lesson::load(&bundled::resolve(Some(arg))?)?;
        let same = lesson.slug == own_lesson.slug;
        return Ok((same.then_some(workspace), lesson));
    }
    Ok((None, Lesson::load(&bundled::resolve(lesson_arg)?)?))
}

fn sandbox(
    listen: std::net::SocketAddr,
    state: Option<std::path::PathBuf>,
    app: Option<String>,
    token: Option<String>,
    dir: Option<&Path>,
) -> Result<u8, Fatal> {
    use crate::session::{APP_VAR, TOKEN_VAR};
    use crate::vendor_api::server::ServerConfig;
    use crate::vendor_api::server::exports::{check_app_slug, check_token};
    // A named workspace must exist; the current directory is used only if it is one.
    let workspace = match dir {
        Some(dir) => Some(workspace::open(dir)?),
        None => workspace::open(Path::new(".")).ok(),
    };
    let saved = |name: &str| {
        workspace
            .as_ref()
            .and_then(|w| w.state.vars.get(name).cloned())
    };
    // Where a value came from, for an error that says which file to fix.
    let source = |flag: &str| match &workspace {
        Some(w) => format!(
            "{} (from {})",
            flag,
            w.state_dir().join("workspace.json").display()
        ),
        None => flag.to_string(),
    };
    let (app_slug, app_source) = match app {
        Some(app) => (app, "--app".to_string()),
        None => match saved(APP_VAR) {
            Some(app) => (app, source(APP_VAR)),
            None => (
                workspace::generate_value("slackernews-{word}"),
                String::new(),
            ),
        },
    };
    check_app_slug(&app_slug).map_err(|e| Fatal(format!("{app_source}: {e}")))?;
    let (token, token_source) = match token {
        Some(token) => (token, "--token".to_string()),
        None => match saved(TOKEN_VAR) {
            Some(token) => (token, source(TOKEN_VAR)),
            None => (workspace::generate_value("{token}"), String::new()),
        },
    };
    check_token(&token).map_err(|e| Fatal(format!("{token_source}: {e}")))?;
    let config = ServerConfig {
        listen,
        state_path: state.or_else(|| {
            workspace
                .as_ref()
                .map(|w| crate::session::vendor_state_path(w, &app_slug))
        }),
        app_slug,
        token,
    };
    crate::vendor_api::server::command::run(config).map_err(|e| Fatal(e.to_string()))?;
    Ok(SUCCESS)
}

/// `path` as the learner would type it from the current directory.
fn shown_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(here).ok().map(Path::to_path_buf));
    match relative {
        Some(rel) if rel.as_os_str().is_empty() => ".".into(),
        Some(rel) => rel.display().to_string(),
        None => path.display().to_string(),
    }
}

/// `word` quoted for a POSIX shell when it needs it.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-+=:,@".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn export(dir: Option<&Path>, output: Option<&Path>, learner: Option<&str>) -> Result<u8, Fatal> {
    let (workspace, lesson) = open(None, dir)?;
    let record =
        crate::report::export(&workspace, &lesson, learner).map_err(|e| Fatal(e.to_string()))?;
    match output {
        Some(path) => {
            record
                .save(path)
                .map_err(|e| Fatal(format!("{}: {e}", path.display())))?;
            println!(
                "Wrote {} ({} of {}).",
                path.display(),
                record.learner,
                record.lesson
            );
        }
        None => print!("{}", record.to_json()),
    }
    Ok(SUCCESS)
}

fn report(paths: &[std::path::PathBuf], format: ReportFormat) -> Result<u8, Fatal> {
    use crate::report;
    let loaded = report::load(paths);
    eprint!("{}", report::render_skipped(&loaded.skipped));
    if loaded.records.is_empty() {
        return Err(Fatal(
            "no progress records or workspaces found in the given paths".into(),
        ));
    }
    let class = report::build(&loaded.records);
    let text = match format {
        ReportFormat::Human => report::render_human(&class, Painter::for_stdout()),
        ReportFormat::Markdown => report::render_markdown(&class),
        ReportFormat::Csv => report::render_csv(&class),
        ReportFormat::Json => report::render_json(&class),
    };
    print!("{text}");
    Ok(SUCCESS)
}

fn test(
    lesson_args: &[String],
    junit: Option<&Path>,
    format: ProgressFormat,
    keep: bool,
) -> Result<u8, Fatal> {
    use crate::lesson_test::{self, Options};
    let names: Vec<String> = if lesson_args.is_empty() {
        bundled::slugs()
    } else {
        lesson_args.to_vec()
    };
    // Every lesson must load before any runs: a typo fails fast, with exit 2.
    let lessons = names
        .iter()
        .map(|name| Ok(Lesson::load(&bundled::resolve(Some(name))?)?))
        .collect::<Result<Vec<_>, Fatal>>()?;
    let total_cases: usize = lessons.iter().map(|l| 1 + 3 * l.steps.len()).sum();
    let bar = test_progress_bar(total_cases as u64, format);
    let mut runs = Vec::new();
    for lesson in &lessons {
        bar.set_message(lesson.slug.clone());
        // The report below lists every case; the bar only shows that work goes on.
        let mut on_case = |_: &lesson_test::CaseResult| bar.inc(1);
        runs.push(lesson_test::test_lesson(
            lesson,
            &Options { keep },
            &mut on_case,
        ));
    }
    bar.finish_and_clear();
    match format {
        ProgressFormat::Human => print!("{}", lesson_test::render_human(&runs)),
        ProgressFormat::Json => print!("{}", lesson_test::render_json(&runs)),
    }
    if let Some(path) = junit {
        write_report_file(path, lesson_test::render_junit(&runs).as_bytes())?;
    }
    Ok(if lesson_test::all_ok(&runs) {
        SUCCESS
    } else {
        CHECKS_FAILED
    })
}

/// Writes a report file CI asked for, making its directory first as other
/// test runners do (`target/` may not exist when `CARGO_TARGET_DIR` is elsewhere).
fn write_report_file(path: &Path, bytes: &[u8]) -> Result<(), Fatal> {
    let failed = |e: std::io::Error| Fatal(format!("{}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    crate::fsutil::write_atomic(path, bytes).map_err(failed)
}

/// A bar on a terminal; hidden (plain lines instead) in CI and pipes.
fn test_progress_bar(len: u64, format: ProgressFormat) -> indicatif::ProgressBar {
    let interactive = std::io::stderr().is_terminal() && matches!(format, ProgressFormat::Human);
    if !interactive || std::env::var_os("CI").is_some() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}
