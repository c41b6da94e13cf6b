//! `.helmignore`: Helm's `pkg/ignore` rules, the chart's own followed by the
//! built-in one. Own code rather than a gitignore crate: Helm's rules are not
//! gitignore's (basename-only patterns, Go's `filepath.Match` syntax, its odd
//! reading of `!`, `**` refused), and a package must hold what Helm's would.

use std::path::Path;

use super::error::HelmError;
use super::walk::{MAX_FILE_SIZE, read_error, strip_bom};

/// One `.helmignore` line, compiled.
#[derive(Debug)]
struct IgnoreRule {
    pattern: glob::Pattern,
    negate: bool,
    directories_only: bool,
    /// Rules with a `/` match the whole relative path, the others only the base name.
    whole_path: bool,
}

/// Helm's `pkg/ignore` rules: the chart's `.helmignore` followed by the built-in defaults.
#[derive(Debug, Default)]
pub(super) struct IgnoreRules(Vec<IgnoreRule>);

const MATCH_OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

impl IgnoreRules {
    /// Parses `.helmignore` text; on error returns the 1-based line and Helm's message.
    fn parse(text: &str) -> Result<Self, (usize, String)> {
        let mut rules = IgnoreRules::default();
        for (index, line) in text.lines().enumerate() {
            rules.add(line).map_err(|message| (index + 1, message))?;
        }
        Ok(rules)
    }

    /// Helm's built-in rule: hidden files directly in templates/ are never packaged.
    fn add_defaults(&mut self) {
        self.add("templates/.?*")
            .expect("the built-in rule is a valid pattern");
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        let (negate, rule) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (directories_only, rule) = match rule.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let whole_path = rule.contains('/');
        let rule = rule.strip_prefix('/').unwrap_or(rule);
        let pattern = go_pattern_to_glob(rule)
            .and_then(|p| glob::Pattern::new(&p).ok())
            .ok_or_else(|| format!("syntax error in pattern {line:?}"))?;
        self.0.push(IgnoreRule {
            pattern,
            negate,
            directories_only,
            whole_path,
        });
        Ok(())
    }

    /// Helm's `Rules.Ignore`. The first rule that decides wins. Note Helm's reading of `!`:
    /// a negated rule that does *not* match a path ignores it, and one that matches only
    /// passes the path on to the next rule, so `!pattern` never rescues an ignored file.
    pub(super) fn ignores(&self, relative: &str, is_dir: bool) -> bool {
        let base = relative.rsplit('/').next().unwrap_or(relative);
        for rule in &self.0 {
            let subject = if rule.whole_path { relative } else { base };
            let matched = rule.pattern.matches_with(subject, MATCH_OPTIONS);
            if rule.negate {
                if (rule.directories_only && !is_dir) || !matched {
                    return true;
                }
            } else if matched && (is_dir || !rule.directories_only) {
                return true;
            }
        }
        false
    }
}

/// Rewrites Go `filepath.Match` syntax into the `glob` crate's: Go escapes with `\` and negates
/// a class with `[^…]`, glob escapes with `[…]` and negates with `[!…]`. `None` for a trailing `\`,
/// which Go rejects as a bad pattern.
fn go_pattern_to_glob(go: &str) -> Option<String> {
    let mut out = String::with_capacity(go.len() + 4);
    let mut chars = go.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escaped = chars.next()?;
                if !in_class && "*?[]".contains(escaped) {
                    out.extend(['[', escaped, ']']);
                } else {
                    out.push(escaped);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.next_if_eq(&'^').is_some() {
                    out.push('!');
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    Some(out)
}

pub(super) fn load_ignore_rules(chart_dir: &Path) -> Result<IgnoreRules, HelmError> {
    let path = chart_dir.join(".helmignore");
    let mut rules = match crate::fsutil::read_limited(&path, MAX_FILE_SIZE) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(strip_bom(&bytes)).into_owned();
            IgnoreRules::parse(&text).map_err(|(line, message)| HelmError::Ignore {
                path: path.clone(),
                line,
                message,
            })?
        }
        Err(e) if e.is_not_found() => IgnoreRules::default(),
        Err(e) => return Err(read_error(&path, e)),
    };
    rules.add_defaults();
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standins::helm::test_support::*;

    fn ignore_rules(text: &str) -> IgnoreRules {
        let mut rules = IgnoreRules::parse(text).unwrap();
        rules.add_defaults();
        rules
    }

    #[test]
    fn helmignore_basename_and_path_rules() {
        let rules = ignore_rules("*.swp\ndocs/*.md\n/top.txt\n");
        assert!(rules.ignores("a.swp", false));
        assert!(
            rules.ignores("templates/deep/a.swp", false),
            "basename rule at any depth"
        );
        assert!(rules.ignores("docs/x.md", false));
        assert!(!rules.ignores("docs/sub/x.md", false), "* does not cross /");
        assert!(!rules.ignores("x.md", false));
        assert!(rules.ignores("top.txt", false));
        assert!(
            !rules.ignores("sub/top.txt", false),
            "leading / anchors at the root"
        );
        assert!(rules.ignores("templates/.hidden", false), "built-in rule");
        assert!(!rules.ignores("templates/sub/.hidden", false));
    }

    #[test]
    fn helmignore_directory_only_rules() {
        let rules = ignore_rules(".git/\nbuild/\n");
        assert!(rules.ignores(".git", true));
        assert!(!rules.ignores(".git", false), "a file named .git stays");
        assert!(rules.ignores("sub/build", true));
    }

    #[test]
    fn helmignore_negation_follows_helm() {
        // Helm: a negated rule ignores whatever it does not match.
        let rules = ignore_rules("!*.yaml\n");
        assert!(!rules.ignores("Chart.yaml", false));
        assert!(rules.ignores("README.md", false));
        assert!(rules.ignores("templates", true));
        // …and cannot bring back a file an earlier rule ignored.
        let rules = ignore_rules("*.txt\n!keep.txt\n");
        assert!(rules.ignores("keep.txt", false));
    }

    #[test]
    fn helmignore_go_pattern_syntax() {
        let rules = ignore_rules("[^a]x.txt\n\\*.md\n");
        assert!(rules.ignores("bx.txt", false));
        assert!(!rules.ignores("ax.txt", false));
        assert!(rules.ignores("*.md", false));
        assert!(!rules.ignores("README.md", false));
    }

    #[test]
    fn helmignore_errors_name_file_and_line() {
        assert_eq!(
            IgnoreRules::parse("ok\n**/x\n").unwrap_err(),
            (2, "double-star (**) syntax is not supported".to_string())
        );
        assert!(IgnoreRules::parse("[abc\n").is_err());
        assert!(IgnoreRules::parse("trailing\\\n").is_err());

        let dir = chart_with_yaml("apiVersion: v2\nname: demo\nversion: 0.1.0\n");
        write(dir.path(), ".helmignore", "# c\nfoo/**\n");
        let message = package_error(dir.path()).to_string();
        assert!(
            message.contains(".helmignore: line 2: double-star"),
            "{message}"
        );
    }
}
