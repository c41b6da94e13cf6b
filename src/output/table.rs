//! Columns of text aligned for a terminal: the one table layout of
//! `labrun report`, `labrun progress`, `labrun check`'s checklist and
//! `labrun test`'s case lines. Widths are display columns (a wide
//! character takes two) and styles never count. Own code rather than a
//! table crate: these tables are borderless lines, some with details
//! printed between the rows, which is all this is.

use super::style::Painter;
use anstyle::Style;
use unicode_width::UnicodeWidthStr;

/// Between two columns.
const GAP: &str = "  ";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    /// Numbers.
    Right,
}

/// How a column lines up, and the fewest columns it takes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Column {
    pub align: Align,
    pub min_width: usize,
}

impl Column {
    pub const fn left(min_width: usize) -> Column {
        Column {
            align: Align::Left,
            min_width,
        }
    }

    pub const fn right(min_width: usize) -> Column {
        Column {
            align: Align::Right,
            min_width,
        }
    }
}

/// A cell: pieces of text, each with its style.
#[derive(Debug, Clone, Default)]
pub struct Cell(Vec<(Style, String)>);

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell::styled(Style::new(), text)
    }

    pub fn styled(style: Style, text: impl Into<String>) -> Cell {
        Cell(vec![(style, text.into())])
    }

    /// This cell followed by `text` in `style`.
    pub fn then(mut self, style: Style, text: impl Into<String>) -> Cell {
        self.0.push((style, text.into()));
        self
    }

    fn width(&self) -> usize {
        self.0.iter().map(|(_, text)| text.width()).sum()
    }

    fn paint(&self, paint: Painter) -> String {
        self.0
            .iter()
            .map(|(style, text)| paint.paint(*style, text))
            .collect()
    }
}

/// Rows of cells; a row may have fewer cells than the table has columns.
#[derive(Debug, Clone, Default)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table whose first columns are laid out as `columns` say; any
    /// other column is left-aligned.
    pub fn new(columns: &[Column]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    /// One line per row, in order, without a line break: every cell but a
    /// row's last padded to its column's width, no spaces at the end.
    pub fn lines(&self, paint: Painter) -> Vec<String> {
        let count = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let column = |i: usize| self.columns.get(i).copied().unwrap_or_default();
        let widths: Vec<usize> = (0..count)
            .map(|i| {
                let widest = self
                    .rows
                    .iter()
                    .filter_map(|row| row.get(i))
                    .map(Cell::width);
                widest.max().unwrap_or(0).max(column(i).min_width)
            })
            .collect();
        self.rows
            .iter()
            .map(|row| {
                let mut line = String::new();
                for (i, cell) in row.iter().enumerate() {
                    if i > 0 {
                        line.push_str(GAP);
                    }
                    let pad = " ".repeat(widths[i].saturating_sub(cell.width()));
                    match column(i).align {
                        Align::Right => {
                            line.push_str(&pad);
                            line.push_str(&cell.paint(paint));
                        }
                        Align::Left => {
                            line.push_str(&cell.paint(paint));
                            if i + 1 < row.len() {
                                line.push_str(&pad);
                            }
                        }
                    }
                }
                line.truncate(line.trim_end_matches(' ').len());
                line
            })
            .collect()
    }

    /// [`Table::lines`], each ending in a line break.
    pub fn render(&self, paint: Painter) -> String {
        self.lines(paint).into_iter().map(|l| l + "\n").collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::styles;

    fn table() -> Table {
        let mut t = Table::new(&[Column::left(0), Column::right(5)]);
        t.row(vec![
            Cell::plain("NAME"),
            Cell::plain("N"),
            Cell::plain("NOTE"),
        ]);
        t.row(vec![
            Cell::plain("ada"),
            Cell::plain("12"),
            Cell::plain("ok"),
        ]);
        t.row(vec![Cell::plain("名前"), Cell::plain("3")]);
        t.row(vec![Cell::plain("x")]);
        t
    }

    #[test]
    fn columns_line_up_by_display_width() {
        assert_eq!(
            table().render(Painter::PLAIN),
            "\
NAME      N  NOTE
ada      12  ok
名前      3
x
"
        );
    }

    #[test]
    fn styles_do_not_count_towards_widths() {
        let mut t = Table::new(&[]);
        t.row(vec![
            Cell::styled(styles::PASS, "✓").then(Style::new(), " a"),
            Cell::plain("first"),
        ]);
        t.row(vec![
            Cell::plain("longer"),
            Cell::styled(styles::QUIET, "second"),
        ]);
        assert_eq!(
            t.lines(Painter::COLOR),
            [
                "\x1b[32m✓\x1b[0m a     first",
                "longer  \x1b[2msecond\x1b[0m"
            ]
        );
        assert_eq!(t.lines(Painter::PLAIN), ["✓ a     first", "longer  second"]);
    }

    #[test]
    fn nothing_trails_and_an_empty_table_has_no_lines() {
        let mut t = Table::new(&[]);
        t.row(vec![Cell::plain("wide cell"), Cell::plain("")]);
        t.row(vec![Cell::plain("a"), Cell::plain("")]);
        assert_eq!(t.lines(Painter::PLAIN), ["wide cell", "a"]);
        assert!(Table::new(&[]).lines(Painter::PLAIN).is_empty());
    }
}
