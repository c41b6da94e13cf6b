//! `labrun start`: which workspace to open (the one you are in, else
//! `./<slug>`), the lab, and the line that says how to come back.

use super::error::CommandError;
use super::open::{
    api_mode, ensure_trusted, load_course, open_course, resolve_vars, select_challenge,
};
use super::shown::{shell_word, shown_path};
use crate::cli::VarArgs;
use crate::lesson::Course;
use crate::session::Session;
use crate::workspace::{self, Workspace};
use std::path::Path;

pub(super) fn start(
    lesson_arg: Option<&str>,
    dir: Option<&Path>,
    args: &VarArgs,
    class: Option<&str>,
) -> Result<u8, CommandError> {
    crate::tui::check_terminal()?;
    // A wrong class URL is said before any workspace is made.
    if let Some(url) = class {
        let parsed = crate::class::protocol::ClassUrl::parse(url)?;
        if parsed.code.is_none() {
            return Err(crate::class::outbox::OutboxError::NoCode(parsed.base).into());
        }
    }
    let (workspace, course, resume) = start_workspace(lesson_arg, dir)?;
    if let Some(url) = class {
        super::class_join::join_later(&workspace, &course, url)?;
    }
    let challenge = match args.challenge.as_deref() {
        Some(selector) => Some(select_challenge(&course, &workspace, Some(selector))?),
        None => None,
    };
    let index = challenge.unwrap_or(0);
    let vars = resolve_vars(&course.challenges[index], Some(&workspace), args)?;
    // Before the lab takes the terminal: the question is asked in plain text.
    ensure_trusted(&course, args, true)?;
    let session =
        Session::open(&course, &workspace, vars, api_mode(args))?.published("labrun start");
    let root = workspace.root.clone();
    // A track's shell: HOME is where the local host's `/root` is on this
    // machine, so `~/.bash_history` is the file its check scripts read as
    // `/root/.bash_history` (the shell itself runs outside the host's
    // namespace: a literal `/root` typed there is this machine's).
    let shell_home = match session.runner() {
        Some(runner) => {
            let home = runner.map().root_dir();
            crate::tui::shell_init::ShellHome {
                history: Some(home.join(".bash_history")),
                home: Some(home),
            }
        }
        None => Default::default(),
    };
    let lab = crate::tui::Lab {
        course,
        challenge,
        workspace,
        session,
        shell_home,
    };
    let ending = crate::tui::run(lab).map_err(CommandError::Lab)?;
    // The terminal is the learner's again: say how to come back. After a
    // signal (a closed terminal) nobody may be there to read it.
    if ending == crate::tui::Ending::Quit {
        let line = format!(
            "Your work is saved in {}; run `{resume}` to resume.\n",
            shown_path(&root)
        );
        let _ = std::io::Write::write_all(&mut std::io::stdout(), line.as_bytes());
    }
    Ok(ending.exit_code())
}

/// The workspace `start` opens, its lesson, and the command that resumes it
/// from the current directory. Without `-w`: the workspace holding the
/// current directory, else `./<slug>` — created the first time, resumed after.
fn start_workspace(
    lesson_arg: Option<&str>,
    dir: Option<&Path>,
) -> Result<(Workspace, Course, String), CommandError> {
    let mut resume = String::from("labrun start");
    if let Some(dir) = dir {
        if let Some(arg) = lesson_arg {
            resume = format!("{resume} {}", shell_word(arg));
        }
        resume = format!("{resume} -w {}", shell_word(&dir.to_string_lossy()));
        let (workspace, lesson) = open_or_init(lesson_arg, dir)?;
        return Ok((workspace, lesson, resume));
    }
    if let Some(root) = workspace::find(&std::env::current_dir()?) {
        let (workspace, own_course) = open_course(None, Some(&root))?;
        let Some(arg) = lesson_arg else {
            return Ok((workspace, own_course, resume));
        };
        let course = load_course(Some(arg))?;
        if course.slug != own_course.slug {
            return Err(CommandError::InsideOtherWorkspace {
                root,
                own: own_course.slug,
                named: course.slug,
                arg: arg.to_string(),
            });
        }
        return Ok((workspace, course, resume));
    }
    if let Some(arg) = lesson_arg {
        resume = format!("{resume} {}", shell_word(arg));
    }
    let course = load_course(lesson_arg)?;
    // An existing workspace of this lesson is resumed, another lesson's refused.
    let (workspace, _) = workspace::init(&course, &default_workspace(&course), false)?;
    Ok((workspace, course, resume))
}

/// `./<slug>`, unless that is the lesson's own directory (a track checked
/// out under its slug, started from beside it): then `./<slug>-lab`.
fn default_workspace(course: &Course) -> std::path::PathBuf {
    let here = Path::new(".").join(&course.slug);
    let is_lesson = here
        .canonicalize()
        .ok()
        .zip(course.dir.canonicalize().ok())
        .is_some_and(|(here, lesson)| lesson.starts_with(&here) || here.starts_with(&lesson));
    if is_lesson {
        Path::new(".").join(format!("{}-lab", course.slug))
    } else {
        here
    }
}

/// The workspace in `dir` if there is one (of the named lesson, if named),
/// else a new one of the lesson.
fn open_or_init(lesson_arg: Option<&str>, dir: &Path) -> Result<(Workspace, Course), CommandError> {
    if workspace::is_workspace(dir) {
        return open_course(lesson_arg, Some(dir));
    }
    let course = load_course(lesson_arg)?;
    let (workspace, _) = workspace::init(&course, dir, false)?;
    Ok((workspace, course))
}
