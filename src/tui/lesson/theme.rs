//! The lesson pane's styles, in one place so the look can be changed at once.

use ratatui::style::{Color, Modifier, Style};

pub const H1: Style = Style::new()
    .fg(Color::LightCyan)
    .add_modifier(Modifier::BOLD.union(Modifier::UNDERLINED));
pub const H2: Style = Style::new()
    .fg(Color::LightGreen)
    .add_modifier(Modifier::BOLD);
pub const H3: Style = Style::new()
    .fg(Color::LightMagenta)
    .add_modifier(Modifier::BOLD);
pub const H4: Style = Style::new().add_modifier(Modifier::BOLD.union(Modifier::ITALIC));
pub const BADGE: Style = Style::new().fg(Color::Black).bg(Color::LightMagenta);
pub const INLINE_CODE: Style = Style::new().fg(Color::Yellow).bg(Color::Indexed(236));
pub const LINK: Style = Style::new()
    .fg(Color::LightBlue)
    .add_modifier(Modifier::UNDERLINED);
pub const DIM: Style = Style::new().fg(Color::DarkGray);
pub const IMAGE: Style = Style::new().fg(Color::Magenta);
pub const MISSING: Style = Style::new().fg(Color::Red);
pub const HTML: Style = Style::new().fg(Color::Gray);
pub const MARKER: Style = Style::new().fg(Color::LightBlue);
pub const QUOTE: Style = Style::new().fg(Color::Blue);
pub const CODE: Style = Style::new().fg(Color::LightGreen).bg(Color::Indexed(235));
pub const CODE_BORDER: Style = Style::new().fg(Color::DarkGray);
pub const CODE_BORDER_SELECTED: Style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
pub const CODE_NUMBER: Style = Style::new().fg(Color::Black).bg(Color::DarkGray);
pub const CODE_NUMBER_SELECTED: Style = Style::new()
    .fg(Color::Black)
    .bg(Color::Yellow)
    .add_modifier(Modifier::BOLD);
pub const TABLE_RULE: Style = Style::new().fg(Color::DarkGray);
