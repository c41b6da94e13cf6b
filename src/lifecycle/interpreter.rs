//! How a lifecycle script is started: the program its `#!` line names
//! (read as the kernel reads it), or bash when it has none; with a note
//! where Instruqt would not run the script as it is (no `#!` line, no
//! exec bit), so the learner and the author see what labrun did.

use std::ffi::OsString;

/// The program that runs a script and its first arguments, as the kernel
/// reads a `#!` line (the interpreter and at most one argument). Without
/// one, bash; either way a note when Instruqt would not run it as it is.
pub(super) fn interpreter(
    bytes: &[u8],
    executable: bool,
    name: &str,
    notes: &mut Vec<String>,
) -> (OsString, Vec<OsString>) {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let shebang = first_line
        .strip_prefix(b"#!")
        .map(|rest| String::from_utf8_lossy(rest).trim().to_string())
        .filter(|rest| !rest.is_empty());
    let Some(shebang) = shebang else {
        notes.push(format!(
            "{name} has no #! line: labrun ran it with bash; Instruqt may refuse it (add #!/bin/bash)"
        ));
        return ("bash".into(), Vec::new());
    };
    if !executable {
        notes.push(format!(
            "{name} is not executable: labrun ran it with its #! line; Instruqt may refuse it (chmod +x {name})"
        ));
    }
    match shebang.split_once([' ', '\t']) {
        Some((program, arg)) if !arg.trim().is_empty() => (program.into(), vec![arg.trim().into()]),
        _ => (shebang.into(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shebang_is_read_as_the_kernel_reads_it() {
        let mut notes = Vec::new();
        let (program, args) = interpreter(b"#!/usr/bin/env  bash\n", true, "s", &mut notes);
        assert_eq!(
            (program, args),
            ("/usr/bin/env".into(), vec!["bash".into()])
        );
        let (program, args) = interpreter(b"#! /bin/bash -eu -o x\n", true, "s", &mut notes);
        assert_eq!(
            (program, args),
            ("/bin/bash".into(), vec!["-eu -o x".into()])
        );
        assert!(notes.is_empty());
    }
}
