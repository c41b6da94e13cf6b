//! Rules on a course's hosts and track files: `track.yml` and `config.yml`
//! as Instruqt expects them, every host a tab opens or a script runs on
//! declared in `config.yml`, and each host labrun cannot provide here named
//! once, with what of the course it takes away.

use super::front_matter::is_slug;
use super::located::{Located, entry, scalar};
use super::{Findings, Lint};
use crate::lesson::source::{CONFIG_FILE, TRACK_FILE};
use crate::lesson::{HostKind, Lesson, SourceKind};
use crate::yaml::NodeKind;
use std::path::{Path, PathBuf};

/// `track.yml` and `config.yml` of a track: the track's type and slug, a
/// config of version 3, challenge ids used once.
pub(super) fn track_files(lint: &Lint, out: &mut Findings) {
    let course = lint.course;
    if course.source != SourceKind::Track {
        return;
    }
    let track_path = course.dir.join(TRACK_FILE);
    if let Some(track) = Located::file(&track_path) {
        if let Some(kind) = track.get("type").and_then(|n| n.as_scalar())
            && kind != "track"
        {
            out.warn(
                &track_path,
                track.key_line("type"),
                format!("track.yml: type {kind:?}; a track's is \"track\""),
            );
        }
        if !is_slug(&course.slug) {
            out.warn(
                &track_path,
                track.key_line("slug"),
                format!(
                    "track.yml: slug {:?} is not lower-case letters, digits and dashes, as Instruqt requires",
                    course.slug
                ),
            );
        }
    }
    let config_path = course.dir.join(CONFIG_FILE);
    match Located::file(&config_path) {
        None if !config_path.exists() => out.warn(
            &track_path,
            1,
            "the track has no config.yml: labrun infers its hosts from script names and tabs; Instruqt needs one",
        ),
        None => {}
        Some(config) => match config.get("version").and_then(|n| n.as_scalar()) {
            Some("3") => {}
            Some(version) => out.warn(
                &config_path,
                config.key_line("version"),
                format!("config.yml: version {version:?}; labrun reads Instruqt's version \"3\""),
            ),
            None => out.warn(
                &config_path,
                1,
                "config.yml has no `version` (Instruqt's current one is \"3\")",
            ),
        },
    }
    for (index, challenge) in course.challenges.iter().enumerate() {
        let Some(id) = challenge.challenge.front.id.as_deref() else {
            continue;
        };
        if let Some(first) = course.challenges[..index]
            .iter()
            .find(|c| c.challenge.front.id.as_deref() == Some(id))
        {
            out.error(
                &challenge.text_path,
                challenge.challenge.key_line("id"),
                format!(
                    "challenge id {id:?} is also the id of {}: Instruqt keeps one challenge per id",
                    first.text_path.display()
                ),
            );
        }
    }
}

/// Every tab that opens a host names one config.yml declares.
pub(super) fn tab_hosts(lint: &Lint, lesson: &Lesson, out: &mut Findings) {
    if !has_config(lint) {
        return;
    }
    let Some(yaml) = Located::front_matter(&lesson.text_path) else {
        return;
    };
    for tab in yaml.items("tabs") {
        let Some((key, host)) = entry(tab, "hostname") else {
            continue;
        };
        let Some(host) = host.as_scalar().filter(|h| !h.is_empty()) else {
            continue;
        };
        if is_declared(lint, host) {
            continue;
        }
        let title = scalar(tab, "title").unwrap_or_default();
        out.error(
            &yaml.file,
            yaml.line(key),
            format!(
                "tab {title:?} opens host `{host}`, which config.yml does not declare ({})",
                declared_list(lint)
            ),
        );
    }
}

/// Every host a script runs on is declared in config.yml. A script for
/// another host never runs, on Instruqt or here: dead code, likely a
/// template left behind or a host renamed (a warning: the track works
/// without it). Named once per directory and host.
pub(super) fn script_hosts(lint: &Lint, out: &mut Findings) {
    if !has_config(lint) {
        return;
    }
    let mut groups: Vec<(&Path, &str, Vec<&crate::lesson::Script>)> = Vec::new();
    for script in lint.course.scripts() {
        if is_declared(lint, &script.host) {
            continue;
        }
        let dir = script.path.parent().unwrap_or(Path::new(""));
        match groups
            .iter_mut()
            .find(|(d, h, _)| *d == dir && *h == script.host)
        {
            Some((_, _, scripts)) => scripts.push(script),
            None => groups.push((dir, &script.host, vec![script])),
        }
    }
    for (_, host, scripts) in groups {
        let names: Vec<String> = scripts.iter().map(|s| s.file_name()).collect();
        let (names, verb) = match names.as_slice() {
            [one] => (one.clone(), "is"),
            [rest @ .., last] => (format!("{} and {last}", rest.join(", ")), "are"),
            [] => continue,
        };
        out.warn(
            &scripts[0].path,
            1,
            format!(
                "{names} {verb} for host `{host}`, which config.yml does not declare ({}): there is no such host to run them on, and labrun skips them",
                declared_list(lint)
            ),
        );
    }
}

/// Each declared host the course uses that labrun cannot provide here,
/// once, with the scripts and tabs it takes away.
pub(super) fn unavailable_hosts(lint: &Lint, out: &mut Findings) {
    let course = lint.course;
    let config_path = course.dir.join(CONFIG_FILE);
    let config = Located::file(&config_path);
    for host in &course.hosts {
        if host.kind == HostKind::Undeclared {
            continue; // an error of its own (script-hosts, tab-hosts)
        }
        let Some(why) = host.unavailable() else {
            continue;
        };
        let scripts: Vec<String> = course
            .scripts()
            .filter(|s| s.host == host.name)
            .map(|s| relative(&course.dir, &s.path))
            .collect();
        let tabs: Vec<String> = course
            .challenges
            .iter()
            .flat_map(|c| &c.challenge.front.tabs)
            .filter(|t| t.hostname.as_deref() == Some(host.name.as_str()))
            .map(|t| format!("{:?}", t.title))
            .collect();
        if scripts.is_empty() && tabs.is_empty() {
            continue; // declared, but nothing of the course needs it here
        }
        let mut taken = Vec::new();
        if !scripts.is_empty() {
            taken.push(format!("its scripts are skipped ({})", scripts.join(", ")));
        }
        if !tabs.is_empty() {
            taken.push(format!(
                "its tabs are not opened ({})",
                dedup(tabs).join(", ")
            ));
        }
        let (file, line) = match config
            .as_ref()
            .and_then(|c| declaration_line(c, &host.name))
        {
            Some(line) => (config_path.clone(), line),
            None => first_use(lint, &host.name),
        };
        out.info(&file, line, format!("{why}: {}", taken.join("; ")));
    }
}

fn has_config(lint: &Lint) -> bool {
    lint.course.source == SourceKind::Track && lint.course.dir.join(CONFIG_FILE).is_file()
}

fn is_declared(lint: &Lint, host: &str) -> bool {
    lint.course
        .host(host)
        .is_some_and(|h| h.kind != HostKind::Undeclared)
}

/// "its hosts: shell, cluster" (or that it declares none).
fn declared_list(lint: &Lint) -> String {
    let names: Vec<&str> = lint
        .course
        .hosts
        .iter()
        .filter(|h| h.kind != HostKind::Undeclared)
        .map(|h| h.name.as_str())
        .collect();
    if names.is_empty() {
        "it declares no containers or virtual machines".to_string()
    } else {
        format!("its hosts: {}", names.join(", "))
    }
}

/// The line of `- name: HOST` under `containers` or `virtualmachines`.
fn declaration_line(config: &Located, host: &str) -> Option<usize> {
    ["containers", "virtualmachines"]
        .iter()
        .flat_map(|list| config.items(list))
        .find(|item| scalar(item, "name") == Some(host))
        .map(|item| match &item.kind {
            NodeKind::Map(_) => {
                entry(item, "name").map_or(config.line(item), |(k, _)| config.line(k))
            }
            _ => config.line(item),
        })
}

/// Where a host is first used without a config.yml to point at: its first
/// script, else the first challenge whose tab names it.
fn first_use(lint: &Lint, host: &str) -> (PathBuf, usize) {
    let course = lint.course;
    if let Some(script) = course.scripts().find(|s| s.host == host) {
        return (script.path.clone(), 1);
    }
    course
        .challenges
        .iter()
        .find(|c| {
            c.challenge
                .front
                .tabs
                .iter()
                .any(|t| t.hostname.as_deref() == Some(host))
        })
        .map_or((course.dir.clone(), 1), |c| {
            (c.text_path.clone(), c.challenge.key_line("tabs"))
        })
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}

fn dedup(mut items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items.retain(|item| seen.insert(item.clone()));
    items
}
