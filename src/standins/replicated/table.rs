//! The CLI's tables: Go's `text/tabwriter` layout.

/// Go's `text/tabwriter` with minwidth 0 and space padding (tabwidth is then
/// irrelevant), no flags: cells end with `\t`, the last cell of a line is not
/// part of any column, and a column block is a run of consecutive lines that
/// have a cell in that column. Widths count characters, like Go's runes.
pub fn tabwrite(text: &str, padding: usize) -> String {
    let (body, newline) = match text.strip_suffix('\n') {
        Some(body) => (body, true),
        None => (text, false),
    };
    if body.is_empty() && !newline {
        return String::new();
    }
    let lines: Vec<Vec<&str>> = body.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut widths = Vec::new();
    format_block(&lines, &mut widths, 0, lines.len(), padding, &mut out);
    if !newline {
        out.pop();
    }
    out
}

/// Go's `Writer.format`: finds column blocks in `lines[line0..line1]` for the
/// column after `widths`, recursing to the right of each block.
pub(super) fn format_block(
    lines: &[Vec<&str>],
    widths: &mut Vec<usize>,
    mut line0: usize,
    line1: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, widths, line0, this, out);
        line0 = this;
        let mut width = 0;
        while this < line1 && column + 1 < lines[this].len() {
            width = width.max(lines[this][column].chars().count() + padding);
            this += 1;
        }
        widths.push(width);
        format_block(lines, widths, line0, this, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, widths, line0, line1, out);
}

pub(super) fn write_lines(
    lines: &[Vec<&str>],
    widths: &[usize],
    line0: usize,
    line1: usize,
    out: &mut String,
) {
    for line in &lines[line0..line1] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if let Some(width) = widths.get(j) {
                let used = cell.chars().count();
                out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
            }
        }
        out.push('\n');
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
    }
}
