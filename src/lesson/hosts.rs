//! The hosts of a course — where Instruqt would run its scripts and open its
//! terminals: declared in a track's `config.yml` (containers, virtual
//! machines), else inferred from script file names and terminal tabs. labrun
//! provides one of them, the *local* host, on the learner's machine: the
//! container the challenges' terminal tabs name (else the first container).
//! Every other host is unavailable here, and says why.

use super::script_files::Lifecycle;
use super::source::CONFIG_FILE;
use super::{Lesson, LessonError, instruqt};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// A container (`containers:` in config.yml, or inferred without one).
    Container,
    /// A virtual machine (`virtualmachines:` in config.yml).
    VirtualMachine,
    /// Named by a script or a tab, but config.yml does not declare it.
    Undeclared,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub name: String,
    pub kind: HostKind,
    /// The shell config.yml gives it (`/bin/bash`), if any.
    pub shell: Option<String>,
    /// Where its terminal starts: the first terminal tab's `workdir` on it.
    pub workdir: Option<String>,
    /// Whether labrun provides it on this machine (the local host).
    pub local: bool,
}

impl Host {
    /// A host of `kind` that is not the local one (for a runner's list).
    pub fn elsewhere(name: &str, kind: HostKind) -> Host {
        Host {
            name: name.to_string(),
            kind,
            shell: None,
            workdir: None,
            local: false,
        }
    }

    /// Why labrun cannot run this host's scripts ("needs host `cluster` (a
    /// VM), not available here"), or None for the local host.
    pub fn unavailable(&self) -> Option<String> {
        if self.local {
            return None;
        }
        let what = match self.kind {
            HostKind::VirtualMachine => "a VM",
            HostKind::Container => "another container",
            HostKind::Undeclared => "not declared in config.yml",
        };
        Some(format!(
            "needs host `{}` ({what}), not available here",
            self.name
        ))
    }
}

/// `config.yml` as far as labrun needs it; cloud accounts, secrets and the
/// fields Instruqt adds over time are ignored.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Config {
    #[serde(default)]
    containers: Option<Vec<RawHost>>,
    #[serde(default)]
    virtualmachines: Option<Vec<RawHost>>,
}

#[derive(Debug, Deserialize)]
struct RawHost {
    name: String,
    shell: Option<String>,
}

/// The track's `config.yml`, if it has one.
pub(super) fn read_config(dir: &Path) -> Result<Option<Config>, LessonError> {
    let path = dir.join(CONFIG_FILE);
    let text = match crate::fsutil::read_text(&path) {
        Ok(text) => text,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if text.trim().is_empty() {
        return Ok(Some(Config::default()));
    }
    instruqt::parse_yaml(&path, &text, 1, "").map(Some)
}

/// Every host of the course: config.yml's in its order, then those only
/// scripts or terminal tabs name, in name order; the local one marked.
pub(super) fn resolve(
    config: Option<&Config>,
    track_scripts: &Lifecycle,
    challenges: &[Lesson],
) -> Vec<Host> {
    let host = |name: &str, kind, shell: &Option<String>| Host {
        name: name.to_string(),
        kind,
        shell: shell.clone(),
        workdir: None,
        local: false,
    };
    let mut hosts: Vec<Host> = Vec::new();
    if let Some(config) = config {
        let declared = [
            (&config.containers, HostKind::Container),
            (&config.virtualmachines, HostKind::VirtualMachine),
        ];
        for (list, kind) in declared {
            for raw in list.iter().flatten() {
                if !hosts.iter().any(|h| h.name == raw.name) {
                    hosts.push(host(&raw.name, kind, &raw.shell));
                }
            }
        }
    }
    let mut named: Vec<&str> = track_scripts.hosts();
    for challenge in challenges {
        named.extend(challenge.scripts.hosts());
        named.extend(challenge.terminal_hosts());
    }
    named.sort_unstable();
    named.dedup();
    let inferred = match config {
        Some(_) => HostKind::Undeclared,
        None => HostKind::Container,
    };
    for name in named {
        if !hosts.iter().any(|h| h.name == name) {
            hosts.push(host(name, inferred, &None));
        }
    }
    for h in &mut hosts {
        h.workdir = challenges
            .iter()
            .find_map(|c| c.tab_workdir(&h.name))
            .map(str::to_string);
    }
    let is_container = |name: &str| {
        hosts
            .iter()
            .any(|h| h.name == name && h.kind == HostKind::Container)
    };
    let by_tabs = challenges
        .iter()
        .flat_map(|c| c.terminal_hosts())
        .find(|name| is_container(name))
        .map(str::to_string);
    let local = by_tabs.or_else(|| {
        hosts
            .iter()
            .find(|h| h.kind == HostKind::Container)
            .map(|h| h.name.clone())
    });
    if let Some(local) = local {
        for h in &mut hosts {
            h.local = h.name == local;
        }
    }
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> Config {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn declared_hosts_keep_their_order_and_the_first_container_is_local() {
        let config = config(
            "version: \"3\"\nvirtualmachines:\n- name: cluster\n  shell: /bin/bash\n  machine_type: n1\ncontainers:\n- name: shell\n  image: x\n  shell: /bin/bash\n  memory: 256\n- name: db\n  image: y\naws_accounts:\n- name: acct\n",
        );
        let hosts = resolve(Some(&config), &Lifecycle::default(), &[]);
        let names: Vec<_> = hosts
            .iter()
            .map(|h| (h.name.as_str(), h.kind, h.local))
            .collect();
        assert_eq!(
            names,
            [
                ("shell", HostKind::Container, true),
                ("db", HostKind::Container, false),
                ("cluster", HostKind::VirtualMachine, false),
            ]
        );
        assert_eq!(hosts[0].shell.as_deref(), Some("/bin/bash"));
        assert_eq!(hosts[0].unavailable(), None);
        assert_eq!(
            hosts[1].unavailable().unwrap(),
            "needs host `db` (another container), not available here"
        );
        assert_eq!(
            hosts[2].unavailable().unwrap(),
            "needs host `cluster` (a VM), not available here"
        );
    }

    #[test]
    fn only_virtual_machines_leave_no_local_host() {
        let config = config("virtualmachines:\n- name: workstation\n");
        let hosts = resolve(Some(&config), &Lifecycle::default(), &[]);
        assert!(!hosts[0].local);
        assert!(hosts[0].unavailable().unwrap().contains("a VM"));
    }
}
