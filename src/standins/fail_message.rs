//! A stand-in for Instruqt's `fail-message` helper: `fail-message TEXT…`
//! prints `FAIL: TEXT` and exits 0. A check script calls it once per unmet
//! condition and decides the outcome with its own exit status; labrun turns
//! each `FAIL: ` line into one failed condition of the check.

use std::ffi::OsString;
use std::io::Write;

/// The binary invoked as `fail-message`; `args` exclude the program name.
pub fn run(args: &[OsString]) -> i32 {
    super::run_printing(|out, _| run_with(args, out))
}

/// [`run`] writing to `out`. The words are joined by spaces, as `echo` does;
/// bytes that are not UTF-8 are shown as U+FFFD rather than refused, since
/// the message is for a person to read.
pub fn run_with(args: &[OsString], out: &mut dyn Write) -> i32 {
    let text: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let _ = writeln!(out, "FAIL: {}", text.join(" "));
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(args: &[&str]) -> String {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let mut out = Vec::new();
        assert_eq!(run_with(&args, &mut out), 0);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn prints_one_fail_line_and_succeeds() {
        assert_eq!(
            printed(&["There is no file", "~/notes.txt"]),
            "FAIL: There is no file ~/notes.txt\n"
        );
        assert_eq!(printed(&["-n", "--help"]), "FAIL: -n --help\n");
        assert_eq!(printed(&[]), "FAIL: \n");
    }
}
