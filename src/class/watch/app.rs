//! The dashboard's state and how it changes: a plain struct, actions in
//! (a new class state from the stream, the connection's ups and downs, a
//! key, the clock), `update` out with the one effect the loop carries out
//! (draw, or quit). No I/O here: the clock comes in as an action too.

use super::board::{Board, Part, Row};
use super::keys::{Command, FilterCommand};
use crate::class::protocol::ClassState;
use std::cmp::Reverse;
use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    Connecting,
    Live,
    /// The stream broke (or never came up); the next try is on its way.
    Reconnecting {
        attempt: u32,
        why: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    /// Most done first.
    Progress,
    /// Longest on one step first.
    StuckLongest,
    /// Most failed checks on the step they are stuck at first.
    Attempts,
    /// Longest unheard-from first.
    LastSeen,
}

impl SortBy {
    pub const ALL: [SortBy; 5] = [
        SortBy::Name,
        SortBy::Progress,
        SortBy::StuckLongest,
        SortBy::Attempts,
        SortBy::LastSeen,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::Progress => "progress",
            SortBy::StuckLongest => "stuck longest",
            SortBy::Attempts => "attempts",
            SortBy::LastSeen => "last seen",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    All,
    Stuck,
    Idle,
    Finished,
}

impl Show {
    pub const ALL: [Show; 4] = [Show::All, Show::Stuck, Show::Idle, Show::Finished];

    pub fn label(self) -> &'static str {
        match self {
            Show::All => "all",
            Show::Stuck => "stuck",
            Show::Idle => "idle",
            Show::Finished => "finished",
        }
    }
}

fn next<T: Copy + PartialEq>(all: &[T], now: T) -> T {
    let i = all.iter().position(|x| *x == now).unwrap_or(0);
    all[(i + 1) % all.len()]
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A class state, and when (this machine's clock) it came.
    State(Box<ClassState>, SystemTime),
    Connection(Connection),
    /// The server refused the token: nothing to watch.
    Refused(String),
    Command(Command),
    Filter(FilterCommand),
    FilterChar(char),
    /// This machine's clock moved on (idle learners, "last seen").
    Tick(SystemTime),
    Resize(u16, u16),
    /// SIGTERM, SIGHUP, SIGINT, SIGQUIT.
    Signal(i32),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    Quit,
    Signal(i32),
    Refused(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Nothing,
    Draw,
    Quit(Ending),
}

#[derive(Debug, Clone, PartialEq)]
pub struct App {
    /// The server's base URL.
    pub base: String,
    /// None until the first state came.
    pub board: Option<Board>,
    pub version: u64,
    pub connection: Connection,
    pub part: usize,
    pub sort: SortBy,
    pub show: Show,
    pub filter: String,
    /// The filter is being typed.
    pub typing: bool,
    /// The first learner row shown.
    pub scroll: usize,
    pub help: bool,
    /// Colours allowed (not NO_COLOR): symbols and words carry every meaning either way.
    pub color: bool,
    /// This machine's clock, as of the latest action.
    pub now: SystemTime,
    /// When (this machine's clock) the current state came.
    pub received_at: SystemTime,
    pub size: (u16, u16),
}

impl App {
    pub fn new(base: &str, now: SystemTime, size: (u16, u16), color: bool) -> App {
        App {
            base: base.to_string(),
            board: None,
            version: 0,
            connection: Connection::Connecting,
            part: 0,
            sort: SortBy::Name,
            show: Show::All,
            filter: String::new(),
            typing: false,
            scroll: 0,
            help: false,
            color,
            now,
            received_at: now,
            size,
        }
    }

    /// The server's clock now: its clock when it made the state, plus the
    /// time since it came (so idle learners are told by the server's
    /// clock, whatever this machine's says).
    pub fn server_now(&self) -> SystemTime {
        let since = self
            .now
            .duration_since(self.received_at)
            .unwrap_or_default();
        self.board
            .as_ref()
            .and_then(|b| b.generated_at)
            .map_or(self.now, |at| at + since)
    }

    pub fn current_part(&self) -> Option<&Part> {
        let parts = &self.board.as_ref()?.parts;
        parts.get(self.part.min(parts.len().saturating_sub(1)))
    }

    /// The rows shown: filtered by what is shown and the name filter, sorted.
    pub fn visible_rows(&self) -> Vec<&Row> {
        let Some(part) = self.current_part() else {
            return Vec::new();
        };
        let now = self.server_now();
        let text = self.filter.to_lowercase();
        let mut rows: Vec<&Row> = part
            .rows
            .iter()
            .filter(|r| match self.show {
                Show::All => true,
                Show::Stuck => r.stuck.is_some(),
                Show::Idle => r.is_idle(now),
                Show::Finished => r.finished,
            })
            .filter(|r| r.name.to_lowercase().contains(&text))
            .collect();
        let by_name = |r: &Row| (r.name.to_lowercase(), r.name.clone());
        match self.sort {
            SortBy::Name => rows.sort_by_key(|r| by_name(r)),
            SortBy::Progress => rows.sort_by_key(|r| (Reverse(r.done), by_name(r))),
            SortBy::StuckLongest => {
                rows.sort_by_key(|r| (Reverse(r.stuck.as_ref().map(|s| s.seconds)), by_name(r)))
            }
            SortBy::Attempts => {
                rows.sort_by_key(|r| (Reverse(r.stuck.as_ref().map(|s| s.attempts)), by_name(r)))
            }
            // Never seen first, then longest ago.
            SortBy::LastSeen => rows.sort_by_key(|r| (r.last_seen, by_name(r))),
        }
        rows
    }

    /// How many learner rows fit on screen (the rest of the layout is fixed).
    fn page(&self) -> usize {
        usize::from(super::render::table_rows(self)).max(1)
    }

    fn max_scroll(&self) -> usize {
        self.visible_rows().len().saturating_sub(self.page())
    }

    pub fn update(&mut self, action: Action) -> Effect {
        match action {
            Action::State(state, at) => {
                if state.version < self.version {
                    // An older state (a reconnect raced a push): the newer stays.
                    return Effect::Nothing;
                }
                self.version = state.version;
                self.board = Some(Board::of(&state));
                self.received_at = at;
                self.now = at;
                self.connection = Connection::Live;
                self.scroll = self.scroll.min(self.max_scroll());
            }
            Action::Connection(connection) => {
                if self.connection == connection {
                    return Effect::Nothing;
                }
                self.connection = connection;
            }
            Action::Refused(why) => return Effect::Quit(Ending::Refused(why)),
            Action::Signal(n) => return Effect::Quit(Ending::Signal(n)),
            Action::Tick(now) => self.now = now,
            Action::Resize(cols, rows) => {
                self.size = (cols, rows);
                self.scroll = self.scroll.min(self.max_scroll());
            }
            Action::FilterChar(c) => {
                self.filter.push(c);
                self.scroll = 0;
            }
            Action::Filter(command) => match command {
                FilterCommand::Accept => self.typing = false,
                FilterCommand::Cancel => {
                    self.typing = false;
                    self.filter.clear();
                }
                FilterCommand::Delete => {
                    self.filter.pop();
                }
            },
            Action::Command(command) => {
                if self.help {
                    // Any key closes the help; quitting still quits.
                    self.help = false;
                    if command != Command::Quit {
                        return Effect::Draw;
                    }
                }
                return self.command(command);
            }
        }
        Effect::Draw
    }

    fn command(&mut self, command: Command) -> Effect {
        let page = self.page();
        match command {
            Command::Quit => return Effect::Quit(Ending::Quit),
            Command::Help => self.help = true,
            Command::CycleSort => self.sort = next(&SortBy::ALL, self.sort),
            Command::CycleShow => {
                self.show = next(&Show::ALL, self.show);
                self.scroll = 0;
            }
            Command::EditFilter => self.typing = true,
            Command::Back => self.filter.clear(),
            Command::NextPart => {
                let parts = self.board.as_ref().map_or(1, |b| b.parts.len());
                self.part = (self.part + 1) % parts.max(1);
                self.scroll = 0;
            }
            Command::ScrollDown => self.scroll += 1,
            Command::ScrollUp => self.scroll = self.scroll.saturating_sub(1),
            Command::PageDown => self.scroll += page,
            Command::PageUp => self.scroll = self.scroll.saturating_sub(page),
            Command::Top => self.scroll = 0,
            Command::Bottom => self.scroll = usize::MAX,
        }
        self.scroll = self.scroll.min(self.max_scroll());
        Effect::Draw
    }

    /// When the screen next changes by the clock alone: a learner turning
    /// idle, or the "last seen" minutes moving on (at most a minute away).
    pub fn next_tick(&self) -> Duration {
        let minute = Duration::from_secs(60);
        let now = self.server_now();
        let turning_idle = self
            .current_part()
            .into_iter()
            .flat_map(|p| &p.rows)
            .filter_map(|r| r.last_seen)
            .filter_map(|seen| (seen + super::board::IDLE_AFTER).duration_since(now).ok())
            .filter(|d| !d.is_zero())
            .min();
        turning_idle.map_or(minute, |d| d.min(minute))
    }
}

#[cfg(test)]
pub(crate) mod tests;
