//! The YAML of a course's files read again with positions (`crate::yaml`),
//! so that a finding about a tab, a note or a host names its line: a
//! challenge's front matter, `config.yml`, `track.yml`. The course model
//! keeps values, not where they were written.

use crate::yaml::{self, Node, NodeKind};
use std::path::{Path, PathBuf};

/// A YAML document of a file, and the file line of its first line.
pub(super) struct Located {
    pub file: PathBuf,
    root: Option<Node>,
    first_line: usize,
}

impl Located {
    /// A whole YAML file; None when it cannot be read or parsed (loading
    /// the course has already said why, or would have).
    pub fn file(path: &Path) -> Option<Located> {
        let text = crate::fsutil::read_text(path).ok()?;
        Some(Located {
            file: path.to_path_buf(),
            root: yaml::parse(&text).ok()?,
            first_line: 1,
        })
    }

    /// The front matter of a challenge file (between its `---` lines).
    pub fn front_matter(path: &Path) -> Option<Located> {
        let text = crate::fsutil::read_text(path).ok()?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut lines = text.split_inclusive('\n');
        lines.next().filter(|first| first.trim_end() == "---")?;
        let yaml: String = lines.take_while(|l| l.trim_end() != "---").collect();
        Some(Located {
            file: path.to_path_buf(),
            root: yaml::parse(&yaml).ok()?,
            first_line: 2,
        })
    }

    /// The file line of a node.
    pub fn line(&self, node: &Node) -> usize {
        node.line + self.first_line - 1
    }

    /// The value of a top-level key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        entry(self.root.as_ref()?, key).map(|(_, value)| value)
    }

    /// The file line of a top-level key, else the document's first line.
    pub fn key_line(&self, key: &str) -> usize {
        self.root
            .as_ref()
            .and_then(|root| entry(root, key))
            .map_or(self.first_line, |(key, _)| self.line(key))
    }

    /// The items of a top-level list (none when it is absent or not a list).
    pub fn items(&self, key: &str) -> &[Node] {
        match self.get(key).map(|n| &n.kind) {
            Some(NodeKind::Seq(items)) => items,
            _ => &[],
        }
    }
}

/// A key and its value in a mapping node.
pub(super) fn entry<'n>(node: &'n Node, key: &str) -> Option<(&'n Node, &'n Node)> {
    match &node.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_scalar() == Some(key))
            .map(|(k, v)| (k, v)),
        _ => None,
    }
}

/// The scalar value of `key` in a mapping node.
pub(super) fn scalar<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    entry(node, key)?.1.as_scalar()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_lines_are_file_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("assignment.md");
        std::fs::write(
            &path,
            "---\nslug: s\ntitle: T\ntabs:\n- title: Shell\n  type: terminal\n  hostname: shell\n---\nBody\n",
        )
        .unwrap();
        let front = Located::front_matter(&path).unwrap();
        assert_eq!(front.key_line("tabs"), 4);
        let tab = &front.items("tabs")[0];
        let (host_key, host) = entry(tab, "hostname").unwrap();
        assert_eq!((front.line(host_key), host.as_scalar()), (7, Some("shell")));
        assert_eq!(front.key_line("absent"), 2);
        assert!(front.items("notes").is_empty());
    }
}
