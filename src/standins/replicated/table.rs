//! The CLI's tables, laid out as Go's `text/tabwriter` lays them out: by the
//! `tabwriter` crate, a port of it.

use std::io::Write;

use tabwriter::TabWriter;

/// `text` (cells ended by `\t`, lines by `\n`) as Go's
/// `tabwriter.NewWriter(w, 0, 8, padding, ' ', 0)` writes it: the last cell
/// of a line is not part of any column, and a column block is a run of
/// consecutive lines that have a cell in that column. Widths are display
/// columns (Go counts runes; the two differ only for wide characters).
pub(super) fn tabwrite(text: &str, padding: usize) -> String {
    let mut table = TabWriter::new(Vec::new()).minwidth(0).padding(padding);
    // Writing to memory cannot fail; were it to, the cells unaligned beat nothing.
    if table.write_all(text.as_bytes()).is_err() {
        return text.to_owned();
    }
    match table.into_inner() {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_matches_go() {
        // Go: tabwriter.NewWriter(&b, 0, 8, 4, ' ', 0) on the channel ls template.
        let text = "ID\tNAME\tRELEASE\tVERSION\n\
                    2FOfwru7Rq1plkqyZFLH6MLR1fk\tStable\t1\t0.0.1\n\
                    2FK67bqiSUUpl0PpEHe8fZYuXXK\treplicated-cli\t\tThe CLI\n";
        assert_eq!(
            tabwrite(text, 4),
            "ID                             NAME              RELEASE    VERSION\n\
             2FOfwru7Rq1plkqyZFLH6MLR1fk    Stable            1          0.0.1\n\
             2FK67bqiSUUpl0PpEHe8fZYuXXK    replicated-cli               The CLI\n"
        );
        // A line with fewer cells ends the column block above it.
        assert_eq!(
            tabwrite("a\tb\tc\nlonger\n\tx\ty\n", 2),
            "a  b  c\nlonger\n  x  y\n"
        );
        assert_eq!(tabwrite("aaa\tb\na\tbb\tc\n", 1), "aaa b\na   bb c\n");
        // Characters, not bytes, and no trailing newline kept as is.
        assert_eq!(tabwrite("✓\tx\nab\ty", 1), "✓  x\nab y");
        assert_eq!(tabwrite("", 4), "");
        assert_eq!(tabwrite("\n", 4), "\n");
        // Wide characters take their display width (Go would count one a rune).
        assert_eq!(tabwrite("日本\tx\nab\ty\n", 1), "日本 x\nab   y\n");
    }
}
