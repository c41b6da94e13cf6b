//! Host mode "rewrite": a script's text with the host's paths (`/root`, the
//! terminal's workdir such as `/home/replicant`) replaced, as path tokens,
//! by the directories they map to in the workspace. The script on disk is
//! never changed; the rewritten copy is what runs.
//!
//! A path token starts where a word, an assignment value, a quoted string or
//! a redirection starts (`/root/x`, `"/root"`, `HOME=/root`, `>/root/log`,
//! `PATH=/bin:/root/bin`, `${D:-/root}`), and ends at `/` or at a character
//! that cannot continue a file name: `/rootfs`, `/srv/root`, `~/root` and
//! `$HOME/root` are left alone.

/// Replaces every path token `from` by `to`, for each pair (longest `from`
/// first, so `/root/app` wins over `/root`).
pub fn rewrite(text: &str, pairs: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = pairs.iter().filter(|(f, _)| !f.is_empty()).collect();
    pairs.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let found = (bytes[i] == b'/' && starts_token(bytes, i))
            .then(|| {
                pairs.iter().find(|(from, _)| {
                    bytes[i..].starts_with(from.as_bytes()) && ends_token(bytes, i + from.len())
                })
            })
            .flatten();
        match found {
            Some((from, to)) => {
                out.push_str(&text[copied..i]);
                out.push_str(to);
                i += from.len();
                copied = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Whether a path may start at `at`: after nothing, or after a character
/// that ends a word or opens a value (`:-` and friends of `${V:-/root}` too).
fn starts_token(bytes: &[u8], at: usize) -> bool {
    let Some(&before) = at.checked_sub(1).map(|b| &bytes[b]) else {
        return true;
    };
    if matches!(before, b'-' | b'=' | b'+' | b'?') && at >= 2 && bytes[at - 2] == b':' {
        return true;
    }
    !(before.is_ascii_alphanumeric()
        || matches!(
            before,
            b'_' | b'.'
                | b'-'
                | b'~'
                | b'/'
                | b'$'
                | b'}'
                | b')'
                | b']'
                | b'\\'
                | b'+'
                | b'@'
                | b'%'
        )
        || before >= 0x80)
}

/// Whether a path that began before `at` ends (or goes on into a
/// subdirectory) there.
fn ends_token(bytes: &[u8], at: usize) -> bool {
    match bytes.get(at) {
        None => true,
        Some(&after) => {
            !(after.is_ascii_alphanumeric()
                || matches!(after, b'_' | b'.' | b'-' | b'+' | b'@' | b'%')
                || after >= 0x80)
        }
    }
}

/// A character of a workspace path that rewrite mode can write into a
/// script unquoted and inside quotes alike (no spaces, quotes, `$`, `:`…).
pub fn safe_in_script(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | '@' | '%' | ',')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> String {
        rewrite(
            text,
            &[
                ("/root".into(), "/ws".into()),
                ("/home/replicant".into(), "/ws/app".into()),
            ],
        )
    }

    #[test]
    fn path_tokens_are_replaced() {
        assert_eq!(map("cat /root/.bash_history"), "cat /ws/.bash_history");
        assert_eq!(map("cd /root"), "cd /ws");
        assert_eq!(map("echo x >> /root/log"), "echo x >> /ws/log");
        assert_eq!(map("echo x >/root/log"), "echo x >/ws/log");
        assert_eq!(map("[[ -f \"/root/a b\" ]]"), "[[ -f \"/ws/a b\" ]]");
        assert_eq!(map("f='/root/x'"), "f='/ws/x'");
        assert_eq!(map("HOME=/root"), "HOME=/ws");
        assert_eq!(map("PATH=/bin:/root/bin"), "PATH=/bin:/ws/bin");
        assert_eq!(map("d=${D:-/root}"), "d=${D:-/ws}");
        assert_eq!(map("ls /home/replicant/x"), "ls /ws/app/x");
        assert_eq!(map("$(cat /root/f)"), "$(cat /ws/f)");
        assert_eq!(map("/root"), "/ws");
        assert_eq!(map("a /root\tb /root\n"), "a /ws\tb /ws\n");
    }

    #[test]
    fn other_paths_are_left_alone() {
        for text in [
            "ls /rootfs",
            "ls /srv/root",
            "ls ~/root",
            "ls $HOME/root",
            "ls ${D}/root",
            "ls /root.bak",
            "ls /root-old",
            "ls /home/replicant2",
            "ls /home/other",
            "echo \"/ro\"\"ot\"",
            "x=é/root",
        ] {
            assert_eq!(map(text), text, "{text}");
        }
    }

    #[test]
    fn the_longest_prefix_wins() {
        let pairs = [
            (
                "/root".to_string(),
                "/ws/.labrun/hosts/shell/root".to_string(),
            ),
            ("/root/app".to_string(), "/ws".to_string()),
        ];
        assert_eq!(rewrite("cd /root/app/src", &pairs), "cd /ws/src");
        assert_eq!(
            rewrite("cat /root/.bashrc", &pairs),
            "cat /ws/.labrun/hosts/shell/root/.bashrc"
        );
    }

    #[test]
    fn unicode_text_survives() {
        assert_eq!(map("echo «/root» ✓ /root/é"), "echo «/root» ✓ /ws/é");
    }

    #[test]
    fn safe_characters() {
        assert!("/home/ada/labs/shell-basics_2".chars().all(safe_in_script));
        assert!(!safe_in_script(' '));
        assert!(!safe_in_script('$'));
        assert!(!safe_in_script(':'));
        assert!(!safe_in_script('"'));
    }
}
